package dev.balora.cli;

import dev.balora.core.io.AtomicFiles;
import dev.balora.core.lora.LoraInit;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.finetune.FineTuneRun;
import dev.balora.models.hf.AdapterFolder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The files a run leaves behind: the PEFT adapter, a Markdown results table, and the console table. */
final class RunOutputs {
    /** Every option that decided a run (written before training starts). */
    static final String SETTINGS_FILE = "settings.json";
    /** The validation selection of a run with early stopping or --select best. */
    static final String SELECTION_FILE = "selection.json";

    private RunOutputs() {}

    /** Writes a JSON object, pretty-printed, atomically. */
    static void writeJson(Path file, Map<String, Object> json) throws IOException {
        AtomicFiles.writeString(file, new com.fasterxml.jackson.databind.ObjectMapper()
                .writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
    }

    /** selection.json: the best validation step and metrics, the evaluations, early stop and convergence flags. */
    static void writeSelection(Path file, FineTuneRun.Result r) throws IOException {
        FineTuneRun.Selection s = r.selection();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("best_step", s.bestStep());
        m.put("best_eval", s.bestMetrics());
        m.put("evaluations", s.evaluations());
        m.put("steps", r.summary().steps());
        m.put("total_steps", r.summary().totalSteps());
        m.put("stopped_early", s.stoppedEarly());
        m.put("restored_best", s.restored());
        m.put("not_converged", s.lastIsBest());
        writeJson(file, m);
    }

    /**
     * Saves the adapter as an {@link AdapterFolder} (PEFT adapter on the encoder + sentence-transformers head) that
     * loads on the ORIGINAL pre-trained weights: PiSSA-initialised runs (pissa, balora) are saved converted to plain
     * rank-2r LoRA (SPEC §1.4); plain LoRA runs as they are. Label names and run settings go in balora_config.json.
     */
    static void writeAdapter(Path dir, FineTuneRun.Result r, PretrainedEncoder enc, List<String> labels, int maxLength)
            throws IOException {
        writeAdapter(dir, r, enc, labels, maxLength, Map.of());
    }

    /** As above, with the run's settings (lr, head lr, λ, …) recorded next to the labels in balora_config.json. */
    static void writeAdapter(Path dir, FineTuneRun.Result r, PretrainedEncoder enc, List<String> labels, int maxLength,
                             Map<String, Object> runSettings) throws IOException {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("method", r.method().cliName());
        settings.put("model", enc.name());
        runSettings.forEach(settings::putIfAbsent);
        AdapterFolder.write(dir, r.model(), r.loraConfig(), enc, labels, maxLength, settings,
                !(r.loraConfig().init() instanceof LoraInit.Kaiming));
    }

    /** @return the comparison table (Markdown, also readable in a terminal) */
    static String table(List<FineTuneRun.Result> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("| method | accuracy | macro-F1 | MCC | final train loss | train time (s) | setup (s) | examples/s (evaluations included) |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (FineTuneRun.Result r : results) {
            Map<String, Double> e = r.evaluation();
            sb.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.4f | %.1f | %.1f | %.1f |%n", r.method().cliName(),
                    e.getOrDefault("accuracy", Double.NaN), e.getOrDefault("macro_f1", Double.NaN),
                    e.getOrDefault("mcc", Double.NaN), r.summary().finalLoss(), r.trainSeconds(), r.setupSeconds(),
                    r.summary().examplesPerSecond()));
        }
        return sb.toString();
    }

    /**
     * Writes results.md: the table, the BA-LoRA terms at the last step, and what produced it.
     *
     * @param plotted      whether loss.png / accuracy.png were drawn
     * @param metricsFiles where the per-step logs are, relative to {@code dir}
     */
    static void writeResultsTable(Path dir, List<FineTuneRun.Result> results, List<RunRecorder> recs, String model,
                                  String setup, boolean plotted, String metricsFiles) throws IOException {
        StringBuilder sb = new StringBuilder("# balora results\n\n");
        sb.append("Model: ").append(model).append("  \n").append(setup).append("\n\n");
        sb.append(table(results)).append('\n');
        for (RunRecorder rec : recs) {
            if (!rec.lastTerms.isEmpty()) {
                sb.append("Last-step BA-LoRA terms of ").append(rec.name).append(": ");
                rec.lastTerms.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%s = %.5f (λ = %.3g); ", k, v,
                        rec.lastLambdas.getOrDefault(k, Double.NaN))));
                sb.append("\n\n");
            }
        }
        sb.append(plotted ? "Curves: `loss.png`, `accuracy.png`. " : "No curves (they could not be drawn here). ")
                .append("Per-step metrics: `").append(metricsFiles).append("`.\n");
        AtomicFiles.writeString(dir.resolve("results.md"), sb);
    }
}
