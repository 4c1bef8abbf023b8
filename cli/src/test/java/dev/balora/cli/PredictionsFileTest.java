package dev.balora.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.models.finetune.ClassifierPredictions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The predictions TSV: layout, values, label names that would break the columns, and a label-count mismatch. */
class PredictionsFileTest {
    @TempDir
    Path tmp;

    /** Seeded random predictions over {@code classes} classes with rows of probabilities that sum to 1. */
    static ClassifierPredictions random(int n, int classes, long seed) {
        Random rnd = new Random(seed);
        int[] gold = new int[n];
        int[] pred = new int[n];
        float[] probs = new float[n * classes];
        for (int i = 0; i < n; i++) {
            gold[i] = rnd.nextInt(classes);
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                probs[i * classes + c] = 0.05f + rnd.nextFloat();
                sum += probs[i * classes + c];
            }
            int best = 0;
            for (int c = 0; c < classes; c++) {
                probs[i * classes + c] /= (float) sum;
                best = probs[i * classes + c] > probs[i * classes + best] ? c : best;
            }
            pred[i] = best;
        }
        return new ClassifierPredictions(gold, pred, probs, classes);
    }

    @Test
    void writesOneRowPerExampleWithLabelNamesAndProbabilities() throws Exception {
        ClassifierPredictions p = random(17, 3, 5);
        Path f = tmp.resolve("p.tsv");
        PredictionsFile.write(f, p, List.of("neg", "neu\ttral", "pos"));
        List<String> lines = Files.readAllLines(f);
        assertEquals("index\tgold\tpredicted\tp_neg\tp_neu tral\tp_pos", lines.get(0), "a tab in a label name becomes a space");
        assertEquals(18, lines.size());
        List<String> names = List.of("neg", "neu tral", "pos");
        for (int i = 0; i < 17; i++) {
            String[] cols = lines.get(i + 1).split("\t");
            assertEquals(6, cols.length, lines.get(i + 1));
            assertEquals(String.valueOf(i), cols[0]);
            assertEquals(names.get(p.labels()[i]), cols[1]);
            assertEquals(names.get(p.predictions()[i]), cols[2]);
            for (int c = 0; c < 3; c++) {
                assertEquals(p.probability(i, c), Double.parseDouble(cols[3 + c]), 5e-7, "row " + i + " class " + c);
            }
        }
        assertFalse(Files.list(tmp).anyMatch(x -> !x.equals(f)), "no temporary file left behind");
    }

    @Test
    void aLabelListOfTheWrongSizeIsRefusedAndNothingIsWritten() {
        Path f = tmp.resolve("p.tsv");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PredictionsFile.write(f, random(7, 3, 9), List.of("a", "b")));
        assertTrue(e.getMessage().contains("3 classes") && e.getMessage().contains("p.tsv"), e.getMessage());
        assertFalse(Files.exists(f));
    }

    @Test
    void metricsFileHoldsTheAggregateOfThePredictions() throws Exception {
        ClassifierPredictions p = random(33, 2, 3);
        Path f = tmp.resolve("m.json");
        PredictionsFile.writeMetrics(f, p, Path.of("data/test.tsv"));
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(f.toFile());
        int correct = 0;
        for (int i = 0; i < 33; i++) {
            correct += p.labels()[i] == p.predictions()[i] ? 1 : 0;
        }
        assertEquals(correct / 33.0, node.get("accuracy").asDouble(), 1e-12);
        assertEquals(33, node.get("examples").asInt());
        assertEquals("data/test.tsv", node.get("file").asText());
    }
}
