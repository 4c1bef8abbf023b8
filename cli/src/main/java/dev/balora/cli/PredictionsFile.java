package dev.balora.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.balora.core.io.AtomicFiles;
import dev.balora.models.finetune.ClassifierPredictions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes per-example predictions as TSV, one row per evaluated example in the order of the evaluated file:
 * {@code index, gold, predicted, p_<label>...} (index = 0-based data row, gold and predicted as label names,
 * probabilities with 6 decimals). Statistics over examples (paired bootstrap, McNemar) join two runs' files on index.
 * Written atomically, so a reader never sees half a file.
 */
final class PredictionsFile {
    static final String DEFAULT_NAME = "predictions.tsv";
    static final String TEST_NAME = "test_predictions.tsv";
    static final String TEST_METRICS_NAME = "test_metrics.json";

    private PredictionsFile() {}

    /**
     * @param file   the TSV to write (its parent directory must exist)
     * @param p      the predictions, {@code [n]} rows with {@code classes} probabilities each
     * @param labels label names by class index ({@code classes} of them)
     */
    static void write(Path file, ClassifierPredictions p, List<String> labels) throws IOException {
        if (labels.size() != p.classes()) {
            throw new IllegalArgumentException("predictions for " + file + ": " + p.classes() + " classes but "
                    + labels.size() + " label names " + labels);
        }
        StringBuilder sb = new StringBuilder(32 + p.size() * (24 + 10 * p.classes()));
        sb.append("index\tgold\tpredicted");
        for (String l : labels) {
            sb.append("\tp_").append(cell(l));
        }
        sb.append('\n');
        for (int i = 0; i < p.size(); i++) {
            sb.append(i).append('\t').append(cell(labels.get(p.labels()[i]))).append('\t')
                    .append(cell(labels.get(p.predictions()[i])));
            for (int c = 0; c < p.classes(); c++) {
                sb.append('\t').append(String.format(Locale.ROOT, "%.6f", p.probability(i, c)));
            }
            sb.append('\n');
        }
        AtomicFiles.writeString(file, sb);
    }

    /** Writes the aggregate metrics of a held-out test pass (accuracy, macro_f1, mcc, examples) and the file used. */
    static void writeMetrics(Path file, ClassifierPredictions p, Path source) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>(p.evaluation().metrics());
        m.put("file", source.toString());
        AtomicFiles.writeString(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m) + "\n");
    }

    /** Label names are user data: a tab or line break would shift the columns, so they become spaces. */
    private static String cell(String s) {
        return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
