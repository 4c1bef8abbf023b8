package dev.balora.core.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Metrics against hand-computed values and scikit-learn's edge-case conventions. */
class MetricsTest {
    @Test
    void binaryMccAndF1ByHand() {
        int[] y = {1, 1, 1, 0, 0, 0, 1, 0};
        int[] p = {1, 0, 1, 0, 1, 0, 1, 0};
        // TP = 3, FN = 1, FP = 1, TN = 3: MCC = (9 − 1)/√(4·4·4·4) = 0.5; F1 of each class = 6/8.
        assertEquals(0.5, Metrics.matthews(p, y), 1e-15);
        assertEquals(0.75, Metrics.accuracy(p, y), 0.0);
        assertEquals(0.75, Metrics.macroF1(p, y), 1e-15);
        int[] inverse = {0, 0, 0, 1, 1, 1, 0, 1};
        assertEquals(-1.0, Metrics.matthews(inverse, y), 1e-15);
    }

    @Test
    void multiClassGorodkinAndAClassNeverPredicted() {
        int[] y = {0, 0, 0, 1, 1, 2};
        int[] p = {0, 0, 1, 1, 1, 1};
        // C = [[2,1,0],[0,2,0],[0,1,0]]: s = 6, c = 4, t = (3,2,1), p = (2,4,0):
        // (4·6 − 14)/√((36 − 20)(36 − 14)) = 10/√352.
        assertEquals(10 / Math.sqrt(352), Metrics.matthews(p, y), 1e-15);
        // F1: class 0 = 4/5, class 1 = 4/6, class 2 (never predicted) = 0.
        assertEquals((0.8 + 4.0 / 6 + 0) / 3, Metrics.macroF1(p, y), 1e-15);
        assertEquals(4.0 / 6, Metrics.accuracy(p, y), 1e-15);
        assertArrayEquals(new long[][] {{2, 1, 0}, {0, 2, 0}, {0, 1, 0}}, Metrics.confusion(p, y));
    }

    @Test
    void aClassOnlyPredictedCountsInTheMacroAverage() {
        int[] y = {0, 0, 1};
        int[] p = {0, 2, 1};
        // classes {0, 1, 2}: F1 = 2/3, 1, 0 (class 2 has TP 0, FP 1).
        assertEquals((2.0 / 3 + 1 + 0) / 3, Metrics.macroF1(p, y), 1e-15);
    }

    @Test
    void singleClassAndConstantPredictionsGiveMccZero() {
        int[] ones = {1, 1, 1, 1};
        assertEquals(0.0, Metrics.matthews(ones, ones), 0.0);
        assertEquals(1.0, Metrics.macroF1(ones, ones), 0.0);
        assertEquals(1.0, Metrics.accuracy(ones, ones), 0.0);
        int[] y = {0, 1, 1, 0, 1};
        assertEquals(0.0, Metrics.matthews(new int[] {1, 1, 1, 1, 1}, y), 0.0);
        // all-positive predictions: F1(0) = 0, F1(1) = 2·3/(2·3 + 2) = 0.75.
        assertEquals(0.375, Metrics.macroF1(new int[] {1, 1, 1, 1, 1}, y), 1e-15);
        assertEquals(0.0, Metrics.accuracy(new int[0], new int[0]), 0.0);
        assertThrows(IllegalArgumentException.class, () -> Metrics.accuracy(new int[2], new int[3]));
    }

    @Test
    void perplexityIsExpOfMeanNll() {
        assertEquals(4.0, Metrics.perplexity(10 * Math.log(4), 10), 1e-12);
        assertEquals(Math.exp(2.3 / 7), Metrics.perplexity(2.3, 7), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Metrics.perplexity(1.0, 0));
        Map<String, Double> m = new Evaluation.LanguageModel(17 * Math.log(3), 17).metrics();
        assertEquals(Math.log(3), m.get("nll"), 1e-15);
        assertEquals(3.0, m.get("perplexity"), 1e-12);
        assertEquals(17.0, m.get("tokens"), 0.0);
    }
}
