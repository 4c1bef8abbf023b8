package dev.balora.models.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.balora.core.train.EvalRecord;
import dev.balora.core.train.TrainingListener;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Model selection on the validation split during training (protocol v2, {@code docs/protocol.md} §2.2): tracks the
 * best evaluation so far, counts the evaluations since, and tells the trainer when patience has run out.
 *
 * <p>"Better" ({@link #compare}): higher {@code accuracy}; on a tie, lower {@code loss} (mean cross-entropy; a missing
 * loss counts as +∞); on a full tie the earlier evaluation stays best. The same rule picks the winner of a grid group
 * in {@code balora sweep}.
 *
 * <p>The state is a function of the evaluations seen, so a resumed run rebuilds it with {@link #replay} from the eval
 * lines of {@code metrics.jsonl} up to its checkpoint and then stops exactly where an uninterrupted run would.
 */
public final class ValidationSelection implements TrainingListener {
    /** Called when an evaluation becomes the new best (e.g. to save the parameters). */
    @FunctionalInterface
    public interface OnImprovement {
        void improved(EvalRecord best) throws IOException;
    }

    private final int patience;
    private final OnImprovement onImprovement;
    private EvalRecord best;
    private int sinceBest;
    private int evaluations;

    /**
     * @param patience      stop after this many evaluations in a row without improvement; 0 = never
     * @param onImprovement called on every new best (not during {@link #replay}); may be null
     */
    public ValidationSelection(int patience, OnImprovement onImprovement) {
        if (patience < 0) {
            throw new IllegalArgumentException("validation selection: patience must be >= 0, got " + patience);
        }
        this.patience = patience;
        this.onImprovement = onImprovement;
    }

    /**
     * The selection rule: positive when {@code a} is better than {@code b}, negative when worse, 0 on a full tie.
     *
     * @param a metrics with {@code accuracy} and optionally {@code loss}
     * @param b the same for the other model
     */
    public static int compare(Map<String, Double> a, Map<String, Double> b) {
        int byAccuracy = Double.compare(metric(a, "accuracy", Double.NEGATIVE_INFINITY),
                metric(b, "accuracy", Double.NEGATIVE_INFINITY));
        if (byAccuracy != 0) {
            return byAccuracy;
        }
        return Double.compare(metric(b, "loss", Double.POSITIVE_INFINITY), metric(a, "loss", Double.POSITIVE_INFINITY));
    }

    private static double metric(Map<String, Double> m, String key, double missing) {
        Double v = m.get(key);
        return v == null || Double.isNaN(v) ? missing : v;
    }

    @Override
    public void onEval(EvalRecord record) {
        if (see(record)) {
            if (onImprovement != null) {
                try {
                    onImprovement.improved(record);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("saving the best checkpoint at step " + record.step(), e);
                }
            }
        }
    }

    /** Feeds evaluations of an earlier session (a resume) without calling the improvement hook. */
    public void replay(List<EvalRecord> records) {
        records.forEach(this::see);
    }

    private boolean see(EvalRecord r) {
        evaluations++;
        if (best == null || compare(r.metrics(), best.metrics()) > 0) {
            best = r;
            sinceBest = 0;
            return true;
        }
        sinceBest++;
        return false;
    }

    /** @return whether patience has run out (never when patience is 0) */
    public boolean shouldStop() {
        return patience > 0 && best != null && sinceBest >= patience;
    }

    /** @return the best evaluation so far, or null before the first */
    public EvalRecord best() {
        return best;
    }

    /** @return evaluations seen (replayed ones included) */
    public int evaluations() {
        return evaluations;
    }

    /** @return evaluations since the best one */
    public int evaluationsSinceBest() {
        return sinceBest;
    }

    /**
     * Reads the {@code "type": "eval"} lines among the first {@code bytes} bytes of a {@code metrics.jsonl}: the
     * evaluations a checkpoint had seen.
     *
     * @throws IOException when the file cannot be read or a line in that range is not JSON
     */
    public static List<EvalRecord> evaluationsIn(Path metricsFile, long bytes) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(metricsFile)) {
            head = in.readNBytes(Math.toIntExact(bytes));
        }
        List<EvalRecord> out = new ArrayList<>();
        ObjectMapper mapper = new ObjectMapper();
        int lineNo = 0;
        for (String line : new String(head, StandardCharsets.UTF_8).split("\n")) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = mapper.readTree(line);
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new IOException(metricsFile + ":" + lineNo + ": not a JSON line: " + e.getOriginalMessage(), e);
            }
            if (!"eval".equals(n.path("type").asText())) {
                continue;
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String k = e.getKey();
                if (e.getValue().isNumber() && !k.equals("step") && !k.equals("epoch") && !k.equals("eval_s")) {
                    metrics.put(k, e.getValue().asDouble());
                }
            }
            out.add(new EvalRecord(n.path("step").asLong(), n.path("epoch").asDouble(), metrics,
                    n.path("eval_s").asDouble()));
        }
        return out;
    }

    @Override
    public String toString() {
        return "ValidationSelection[patience " + patience + ", best " + (best == null ? "none" : "step " + best.step()
                + " " + best.metrics()) + ", " + sinceBest + " since]";
    }

    /** @return a non-null best evaluation, or a clear failure */
    EvalRecord requireBest() {
        return Objects.requireNonNull(best, "validation selection: no evaluation was seen");
    }
}
