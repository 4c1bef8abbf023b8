package dev.balora.cli;

import dev.balora.core.io.AtomicFiles;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The sweep's one table, rebuilt from every {@code point.json} after each point: {@code sweep.tsv} (one row per
 * point, for scripts) and {@code sweep.md} (per group, the winner marked, and whether it sits at the edge of a
 * numeric axis — protocol v2's edge rule extends the grid there).
 */
final class SweepTable {
    static final String TSV = "sweep.tsv";
    static final String MARKDOWN = "sweep.md";
    private static final String[] OPTION_COLUMNS = {"model", "method", "lr", "head-lr", "target", "lambda-scale",
            "lambda1", "lambda2", "lambda3", "seed"};

    private SweepTable() {}

    static void write(SweepGrid grid, Path out) throws IOException {
        StringBuilder tsv = new StringBuilder("id\tgroup\tstatus");
        for (String c : OPTION_COLUMNS) {
            tsv.append('\t').append(c);
        }
        tsv.append("\tval_accuracy\tval_loss\tbest_step\tsteps\tstopped_early\tnot_converged\ttest_accuracy\ttest_macro_f1"
                + "\ttest_mcc\ttrain_s\twall_s\tsame_as\n");
        StringBuilder md = new StringBuilder("# Sweep `").append(grid.name()).append("`\n\nGrid: `").append(grid.file())
                .append("`. Selection: validation accuracy, then validation loss, then grid order; the winner of each "
                        + "group is marked ★. Test metrics are shown for the record: they play no part in any choice.\n\n");
        SweepRunner reader = new SweepRunner(grid, out, 0, 1, Set.of(), false, true, System.err);
        for (SweepGrid.Group g : grid.groups()) {
            List<SweepPointRecord> records = new ArrayList<>();
            for (SweepGrid.Point p : g.points()) {
                records.add(SweepPointRecord.read(reader.pointDir(p.id())));
            }
            SweepPointRecord winner;
            try {
                winner = reader.winner(g.name());
            } catch (UserInputException e) {
                winner = null;
            }
            md.append("## ").append(g.name()).append("\n\n| point | status | val acc | val loss | best step / steps | test acc"
                    + " | train (s) |\n|---|---|---|---|---|---|---|\n");
            for (int i = 0; i < g.points().size(); i++) {
                SweepGrid.Point p = g.points().get(i);
                SweepPointRecord r = records.get(i);
                String status = r == null ? "pending" : r.status();
                tsv.append(p.id()).append('\t').append(g.name()).append('\t').append(status);
                Map<String, String> opts = r != null && r.options() != null ? r.options() : p.options();
                for (String c : OPTION_COLUMNS) {
                    tsv.append('\t').append(opts.getOrDefault(c, ""));
                }
                Map<String, Double> v = r == null || r.validation() == null ? Map.of() : r.validation();
                Map<String, Double> t = r == null || r.test() == null ? Map.of() : r.test();
                tsv.append('\t').append(num(v.get("accuracy"))).append('\t').append(num(v.get("loss")))
                        .append('\t').append(r == null ? "" : r.bestStep()).append('\t').append(r == null ? "" : r.steps())
                        .append('\t').append(r != null && r.stoppedEarly()).append('\t').append(r != null && r.notConverged())
                        .append('\t').append(num(t.get("accuracy"))).append('\t').append(num(t.get("macro_f1")))
                        .append('\t').append(num(t.get("mcc"))).append('\t').append(r == null ? "" : num(r.trainSeconds()))
                        .append('\t').append(r == null ? "" : num(r.wallSeconds())).append('\t')
                        .append(r == null || r.sameAs() == null ? "" : r.sameAs()).append('\n');
                boolean star = winner != null && winner.id().equals(p.id());
                md.append(String.format(Locale.ROOT, "| %s%s | %s%s%s | %s | %s | %s | %s | %s |%n", star ? "★ " : "",
                        p.id(), status, r != null && r.stoppedEarly() ? ", stopped early" : "",
                        r != null && r.notConverged() ? ", **not converged**" : "", pct(v.get("accuracy")),
                        fix(v.get("loss")), r == null ? "" : r.bestStep() + " / " + r.steps(), pct(t.get("accuracy")),
                        r == null ? "" : String.format(Locale.ROOT, "%.0f", r.trainSeconds())));
            }
            if (winner != null) {
                String edge = edges(g, winner);
                md.append("\nWinner: `").append(winner.id()).append('`').append(edge.isEmpty() ? "" : " — **at the edge of "
                        + edge + "**: extend the grid there (protocol v2 edge rule)").append("\n");
            }
            md.append('\n');
        }
        AtomicFiles.writeString(out.resolve(TSV), tsv);
        AtomicFiles.writeString(out.resolve(MARKDOWN), md);
    }

    /** @return the numeric axes on whose smallest or largest value the winner sits ("lr (largest)"), or "" */
    private static String edges(SweepGrid.Group g, SweepPointRecord winner) {
        List<String> hits = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        g.points().forEach(p -> keys.addAll(p.options().keySet()));
        for (String k : keys) {
            if (k.equals("seed")) {
                continue;
            }
            List<BigDecimal> values = new ArrayList<>();
            for (SweepGrid.Point p : g.points()) {
                String v = p.options().get(k);
                if (v == null || !v.equals(SweepGrid.normalise(v)) || !v.matches("[-+0-9.]+")) {
                    values = null;
                    break;
                }
                values.add(new BigDecimal(v));
            }
            if (values == null || values.stream().distinct().count() < 3) {
                continue; // not a numeric axis of this group (too few values to have an inside)
            }
            String w = winner.options() == null ? null : winner.options().get(k);
            if (w == null || !w.matches("[-+0-9.]+")) {
                continue;
            }
            BigDecimal wv = new BigDecimal(w);
            BigDecimal min = values.stream().min(BigDecimal::compareTo).orElseThrow();
            BigDecimal max = values.stream().max(BigDecimal::compareTo).orElseThrow();
            if (wv.compareTo(min) == 0) {
                hits.add(k + " (smallest)");
            } else if (wv.compareTo(max) == 0) {
                hits.add(k + " (largest)");
            }
        }
        return String.join(", ", hits);
    }

    private static String num(Double v) {
        return v == null || v.isNaN() ? "" : Double.toString(v);
    }

    private static String pct(Double v) {
        return v == null || v.isNaN() ? "" : String.format(Locale.ROOT, "%.2f", 100 * v);
    }

    private static String fix(Double v) {
        return v == null || v.isNaN() ? "" : String.format(Locale.ROOT, "%.4f", v);
    }
}
