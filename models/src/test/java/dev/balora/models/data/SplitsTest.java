package dev.balora.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitsTest {

    /** {@code n} examples with distinct texts and labels drawn from skewed class weights. */
    private static TextClassificationDataset synthetic(int n, int classes, long seed) {
        Random random = new Random(seed);
        List<TextClassificationDataset.Example> examples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = Math.min(classes - 1, (int) Math.floor(classes * Math.pow(random.nextDouble(), 2)));
            examples.add(new TextClassificationDataset.Example("text " + i, label));
        }
        List<String> labels = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            labels.add("c" + k);
        }
        return new TextClassificationDataset("synthetic", examples, LabelVocabulary.of(labels));
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        TextClassificationDataset d = synthetic(1003, 3, 7);
        Splits.TrainValidation a = Splits.trainValidation(d, 0.17, 42);
        Splits.TrainValidation b = Splits.trainValidation(d, 0.17, 42);
        Splits.TrainValidation c = Splits.trainValidation(d, 0.17, 43);
        assertEquals(a, b);
        assertNotEquals(a.validation().examples(), c.validation().examples());
    }

    @Test
    void partsAreDisjointCoverTheDatasetAndKeepSourceOrder() {
        TextClassificationDataset d = synthetic(517, 4, 11);
        Splits.TrainValidation s = Splits.trainValidation(d, 0.25, 5);
        Set<String> seen = new HashSet<>();
        for (TextClassificationDataset.Example e : s.train().examples()) {
            assertTrue(seen.add(e.text()));
        }
        for (TextClassificationDataset.Example e : s.validation().examples()) {
            assertTrue(seen.add(e.text()), "in both parts: " + e.text());
        }
        assertEquals(d.size(), seen.size());
        assertEquals(d.labels(), s.train().labels());
        int previous = -1;
        for (TextClassificationDataset.Example e : s.validation().examples()) {
            int id = Integer.parseInt(e.text().substring(5));
            assertTrue(id > previous, "validation is not in source order");
            previous = id;
        }
    }

    @Test
    void stratifiedOnTheFoodReviews() {
        TextClassificationDataset train = FoodReviews.train();
        Splits.TrainValidation s = Splits.trainValidation(train, 0.1, 2024);
        // 10% of each class, rounded: 260 of 2600 great, 140 of 1400 other.
        assertEquals(400, s.validation().size());
        assertEquals(260, s.validation().labelCounts()[0]);
        assertEquals(140, s.validation().labelCounts()[1]);
        assertEquals(2340, s.train().labelCounts()[0]);
        assertEquals(1260, s.train().labelCounts()[1]);
    }

    @Test
    void tinyDatasetsStillGetTwoNonEmptyParts() {
        TextClassificationDataset two = synthetic(2, 1, 3);
        Splits.TrainValidation s = Splits.trainValidation(two, 0.01, 1);
        assertEquals(1, s.train().size());
        assertEquals(1, s.validation().size());
        Splits.TrainValidation high = Splits.trainValidation(synthetic(3, 1, 3), 0.99, 1);
        assertEquals(1, high.train().size());
        assertEquals(2, high.validation().size());
        assertThrows(IllegalArgumentException.class, () -> Splits.trainValidation(synthetic(1, 1, 3), 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.trainValidation(two, 0.0, 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.trainValidation(two, 1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.trainValidation(two, Double.NaN, 1));
    }
}
