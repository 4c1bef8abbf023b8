package dev.balora.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.core.io.F32Tensor;
import dev.balora.core.io.SafetensorsReader;
import dev.balora.core.io.SafetensorsWriter;
import dev.balora.models.HfCheckpoint;
import dev.balora.models.bert.BertConfig;
import dev.balora.models.bert.BertModel;
import dev.balora.models.bert.BertOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, part 3: command-line and input edge cases that used to end in exit 1 with a stack trace, or were
 * accepted silently. Each ends in exit 2, one line on stderr naming the option or the file, and no output folder.
 * The model is a tiny Hugging Face BERT directory (hidden 8, 2 layers, 64 positions), so every case runs in well
 * under a second.
 */
class CliInputValidationTest {
    static final BertConfig TINY = new BertConfig(30522, 8, 2, 2, 16, 64, 2, 1e-12, "gelu");

    @TempDir
    static Path tmp;
    static Path train;
    static Path eval;
    static Path model;

    @BeforeAll
    static void inputs() throws IOException {
        train = tmp.resolve("train.tsv");
        eval = tmp.resolve("eval.tsv");
        Files.writeString(train, "label\ttext\ngreat\tlovely tea\nother\tstale crackers\ngreat\tfresh bread\n");
        Files.writeString(eval, "label\ttext\nother\tsoggy chips\ngreat\tcrisp apples\n");
        model = tinyModel("tiny", TINY, t -> {});
    }

    /** A tiny BERT directory (config.json + model.safetensors, MiniLM's tokenizer by default) after {@code edit}. */
    static Path tinyModel(String name, BertConfig cfg, Consumer<Map<String, F32Tensor>> edit) throws IOException {
        Path dir = tmp.resolve(name);
        HfCheckpoint.save(dir, cfg, new BertModel(cfg, BertOptions.defaults().withSeed(5)), null);
        Path file = dir.resolve("model.safetensors");
        Map<String, F32Tensor> t = new LinkedHashMap<>();
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            for (String n : r.names()) {
                t.put(n, r.readF32Tensor(n));
            }
        }
        edit.accept(t);
        SafetensorsWriter.write(file, t);
        return dir;
    }

    /** Runs finetune on the tiny model with extra arguments; asserts the one-line exit-2 contract. */
    static String refusedFinetune(String expected, String... extra) {
        Path out = tmp.resolve("out-" + Integer.toHexString(Arrays.hashCode(extra)));
        List<String> args = new ArrayList<>(List.of("finetune", "--model", model.toString(), "--train", train.toString(),
                "--eval", eval.toString(), "--out", out.toString(), "--max-length", "16"));
        // Repeating a single-value option is an error in picocli, so an extra option replaces the default above.
        for (int i = 0; i < extra.length; i += 2) {
            int at = args.indexOf(extra[i]);
            if (at >= 0) {
                args.set(at + 1, extra[i + 1]);
            } else {
                args.add(extra[i]);
                args.add(extra[i + 1]);
            }
        }
        String err = refused(expected, args.toArray(String[]::new));
        assertFalse(Files.exists(out), "nothing is written for a refused start: " + out);
        return err;
    }

    static String refused(String expected, String... args) {
        CliEndToEndTest.Result r = CliEndToEndTest.balora(args);
        assertEquals(2, r.code(), "exit code for " + List.of(args) + ": " + r.err());
        String err = r.err().strip();
        assertTrue(err.startsWith("balora: ") && !err.contains("\n"), "one line on stderr: " + r.err());
        assertTrue(err.contains(expected), "expected '" + expected + "' in: " + err);
        return err;
    }

    @Test
    void numericOptionsOutOfRangeOrNaN() {
        refusedFinetune("--lr NaN", "--lr", "NaN");
        refusedFinetune("--lr Infinity", "--lr", "Infinity");
        refusedFinetune("--lambda1 NaN", "--lambda1", "NaN");
        refusedFinetune("--lambda2 -5", "--lambda2", "-5");
        refusedFinetune("--lambda3", "--lambda3", "-Infinity");
        refusedFinetune("--svd-k -3", "--svd-k", "-3");
        refusedFinetune("--warmup", "--warmup", "1.5");
        refusedFinetune("--weight-decay", "--weight-decay", "NaN");
        refusedFinetune("--max-grad-norm", "--max-grad-norm", "-1");
        refusedFinetune("--alpha", "--alpha", "NaN");
    }

    @Test
    void optionsBeyondTheModel() {
        refusedFinetune("--rank 1000: above min(in, out) = 8", "--rank", "1000");
        refusedFinetune("--max-length 100000: above the 64 position embeddings", "--max-length", "100000");
    }

    @Test
    void trainingDataWithOneLabelOrADuplicateJsonKey() throws IOException {
        Path one = tmp.resolve("one-label.tsv");
        Files.writeString(one, "label\ttext\ngreat\tlovely tea\ngreat\tfresh bread\n");
        refusedFinetune("one label", "--train", one.toString(), "--eval", one.toString()); // loss 0, accuracy 1.0 before
        Path dup = tmp.resolve("dup.jsonl");
        Files.writeString(dup, "{\"text\": \"a\", \"label\": \"great\"}\n{\"text\": \"b\", \"label\": \"great\", \"label\": \"other\"}\n");
        refusedFinetune("dup.jsonl:2", "--train", dup.toString());
    }

    @Test
    void brokenConfigJsonNamesTheFile() throws IOException {
        String valid = TINY.toJson();
        Map<String, byte[]> mutants = new LinkedHashMap<>();
        mutants.put("not UTF-8", valid.replace("gelu", "gel\u00e9").getBytes(StandardCharsets.ISO_8859_1));
        mutants.put("not valid JSON", valid.substring(0, valid.length() / 2).getBytes(StandardCharsets.UTF_8));
        mutants.put("intermediate_size", valid.replace("\"intermediate_size\" : 16", "\"intermediate_size\" : 0")
                .getBytes(StandardCharsets.UTF_8));
        mutants.put("vocab_size", valid.replace("30522", "2000000000").getBytes(StandardCharsets.UTF_8));
        int i = 0;
        for (Map.Entry<String, byte[]> m : mutants.entrySet()) {
            Path dir = tinyModel("config-" + i++, TINY, t -> {});
            Files.write(dir.resolve("config.json"), m.getValue());
            String err = refusedFinetune(m.getKey(), "--model", dir.toString());
            assertTrue(err.contains(dir.resolve("config.json").toString()), err);
        }
    }

    @Test
    void badWeightsAndTokenizerAreRefusedBeforeTraining() throws IOException {
        Path nan = tinyModel("nan", TINY, t -> Arrays.fill(t.get("encoder.layer.0.attention.self.key.weight").values(), Float.NaN));
        refusedFinetune("'encoder.layer.0.attention.self.key.weight'", "--model", nan.toString());
        Path renamed = tinyModel("renamed", TINY, t -> t.put("encoder.layer.1.output.dense.biasx",
                t.remove("encoder.layer.1.output.dense.bias")));
        refusedFinetune("missing encoder.layer.1.output.dense.bias", "--model", renamed.toString());
        Path inserted = tinyModel("inserted", TINY, t -> {});
        Path weights = inserted.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(weights);
        byte[] c = new byte[b.length + 3];
        System.arraycopy(b, 0, c, 0, b.length - 100);
        System.arraycopy(b, b.length - 100, c, b.length - 97, 100);
        Files.write(weights, c);
        refusedFinetune("data buffer", "--model", inserted.toString());
        Path smallVocab = tinyModel("small-vocab", new BertConfig(1000, 8, 1, 2, 16, 64, 2, 1e-12, "gelu"), t -> {});
        refusedFinetune("vocab_size 1000", "--model", smallVocab.toString());
    }

    @Test
    void outputsThatCannotBeWrittenFailFirst() throws IOException {
        Path aFile = Files.writeString(tmp.resolve("a-file"), "x");
        refused("--out " + aFile.resolve("run"), "finetune", "--model", model.toString(), "--train", train.toString(),
                "--eval", eval.toString(), "--out", aFile.resolve("run").toString(), "--max-length", "16");
        // --predictions into a missing folder: refused before anything is loaded or evaluated (the adapter does
        // not even exist, and that is not what is reported).
        Path missing = tmp.resolve("no-such-folder").resolve("p.tsv");
        refused("--predictions " + missing, "eval", "--adapter", tmp.resolve("no-adapter").toString(),
                "--eval", eval.toString(), "--predictions", missing.toString());
        refusedFinetune("--predictions", "--predictions", missing.toString());
    }

    /** A full disk fails in AtomicFiles with a FileSystemException naming the file: one line, exit 2. */
    @Test
    void aFullDiskIsOneLineNamingTheFile() {
        var full = new java.nio.file.FileSystemException("/out/run/adapter/adapter_model.safetensors", null,
                "No space left on device");
        assertTrue(UserErrors.isUserError(new java.io.UncheckedIOException(full)));
        assertEquals("/out/run/adapter/adapter_model.safetensors: No space left on device", UserErrors.message(full));
    }

    @Test
    void badThreadCountIsAnErrorNotASilentFallback() {
        String before = System.getProperty("balora.threads");
        System.setProperty("balora.threads", "-1");
        try {
            refused("-Dbalora.threads=-1", "info");
        } finally {
            if (before == null) {
                System.clearProperty("balora.threads");
            } else {
                System.setProperty("balora.threads", before);
            }
        }
    }
}
