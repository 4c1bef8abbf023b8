package dev.balora.cli;

import dev.balora.models.lm.ContinuationScorer;
import dev.balora.models.lm.LmFineTuneRun;
import dev.balora.models.lm.PretrainedLm;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code balora score-lm}: exact log-probabilities of fixed continuations after contexts ({@link ContinuationScorer}),
 * for a base decoder or a base plus a fine-tuned adapter. Input: a TSV of {@code context <TAB> continuation [<TAB>
 * group]} (no header; {@code \n}, {@code \t} and {@code \\} escapes). Output: one TSV row per pair (group, log-prob,
 * tokens, greedy 0/1) and, on stdout, per group: pairs, mean log-prob, mean probability and the greedy rate.
 */
@Command(name = "score-lm", mixinStandardHelpOptions = true,
        description = "Score fixed continuations after contexts with a decoder (exact log-probabilities).")
final class ScoreLmCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a directory written by balora pretrain (OUT/model)")
    Path model;
    @Option(names = "--adapter", description = "a PEFT adapter written by balora finetune-lm")
    Path adapter;
    @Option(names = "--pairs", required = true, description = "TSV: context, continuation, optional group")
    Path pairs;
    @Option(names = "--out", required = true, description = "TSV written with one scored row per pair")
    Path out;

    /** One input row. */
    record Pair(String context, String continuation, String group) {}

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(model.resolve("config.json"))) {
            throw new UserInputException("--model " + model + ": no config.json (expected a directory written by balora pretrain)");
        }
        List<Pair> rows = readPairs(pairs);
        PretrainedLm lm = adapter == null ? PretrainedLm.load(model) : LmFineTuneRun.loadWithAdapter(model, adapter);
        lm.model().eval();
        ContinuationScorer scorer = new ContinuationScorer(lm);
        Map<String, double[]> byGroup = new LinkedHashMap<>(); // group -> {n, Σ log p, Σ p, Σ greedy}
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        try (BufferedWriter w = Files.newBufferedWriter(out)) {
            w.write("group\tlogprob\ttokens\tgreedy\n");
            for (Pair p : rows) {
                ContinuationScorer.Score s;
                try {
                    s = scorer.score(p.context(), p.continuation());
                } catch (IllegalArgumentException e) {
                    throw new UserInputException(pairs + ": " + e.getMessage());
                }
                w.write(String.format(Locale.ROOT, "%s\t%.6f\t%d\t%d%n", p.group(), s.logProb(), s.tokens(), s.greedy() ? 1 : 0));
                double[] a = byGroup.computeIfAbsent(p.group(), g -> new double[4]);
                a[0]++;
                a[1] += s.logProb();
                a[2] += s.probability();
                a[3] += s.greedy() ? 1 : 0;
            }
        }
        for (Map.Entry<String, double[]> e : byGroup.entrySet()) {
            double[] a = e.getValue();
            System.out.printf(Locale.ROOT, "%s: %d pairs, mean log-prob %.4f, mean probability %.5f, greedy rate %.4f%n",
                    e.getKey(), (long) a[0], a[1] / a[0], a[2] / a[0], a[3] / a[0]);
        }
        System.out.println("wrote " + out);
        return 0;
    }

    static List<Pair> readPairs(Path file) throws java.io.IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString());
        }
        List<Pair> rows = new ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file)) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length < 2 || f.length > 3) {
                throw new UserInputException(file + ":" + lineNo + ": expected 2 or 3 tab-separated fields (context, "
                        + "continuation, group), got " + f.length);
            }
            if (f[1].isEmpty()) {
                throw new UserInputException(file + ":" + lineNo + ": field continuation: expected non-empty text, got ''");
            }
            rows.add(new Pair(unescape(f[0]), unescape(f[1]), f.length == 3 ? f[2] : "all"));
        }
        if (rows.isEmpty()) {
            throw new UserInputException(file + ": expected at least one context/continuation row, got none");
        }
        return rows;
    }

    /** Undoes the TSV escapes: {@code \n} newline, {@code \t} tab, {@code \\} backslash. */
    static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                b.append(n == 'n' ? '\n' : n == 't' ? '\t' : n);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
