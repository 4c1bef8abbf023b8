package dev.balora.models.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Deterministic dataset splits. */
public final class Splits {
    private Splits() {}

    /**
     * A training set and a held-out validation set drawn from one dataset.
     *
     * @param train      the examples kept for training, in source order
     * @param validation the held-out examples, in source order
     */
    public record TrainValidation(TextClassificationDataset train, TextClassificationDataset validation) {}

    /**
     * Splits {@code dataset} into training and validation parts, stratified by label: within each class,
     * {@code round(validationFraction × classSize)} examples go to validation, chosen by a shuffle seeded
     * with {@code seed}, so each class keeps its share in both parts. The same dataset, fraction and seed
     * always give the same split ({@link Random} is specified, so this holds across JDKs). Both parts keep
     * the source order and the dataset's label vocabulary.
     *
     * <p>When rounding would leave one part empty, one example moves across (taken from the largest class)
     * so that both parts have at least one example.
     *
     * @param validationFraction share of examples held out, in {@code (0, 1)}
     * @throws IllegalArgumentException when the fraction is outside {@code (0, 1)} or the dataset has fewer
     *                                  than two examples
     */
    public static TrainValidation trainValidation(TextClassificationDataset dataset, double validationFraction,
                                                  long seed) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validationFraction must be in (0, 1), got " + validationFraction);
        }
        if (dataset.size() < 2) {
            throw new IllegalArgumentException("dataset '" + dataset.name() + "' has " + dataset.size()
                    + " example(s); a split needs at least 2");
        }
        int classes = dataset.labels().size();
        List<List<Integer>> byClass = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < dataset.size(); i++) {
            byClass.get(dataset.get(i).label()).add(i);
        }
        int[] take = new int[classes];
        int total = 0;
        int largest = 0;
        for (int k = 0; k < classes; k++) {
            take[k] = (int) Math.round(validationFraction * byClass.get(k).size());
            total += take[k];
            if (byClass.get(k).size() > byClass.get(largest).size()) {
                largest = k;
            }
        }
        if (total == 0) {
            take[largest]++;
        } else if (total == dataset.size()) {
            take[largest]--;
        }
        Random random = new Random(seed);
        boolean[] held = new boolean[dataset.size()];
        for (int k = 0; k < classes; k++) {
            List<Integer> members = byClass.get(k);
            Collections.shuffle(members, random);
            for (int j = 0; j < take[k]; j++) {
                held[members.get(j)] = true;
            }
        }
        int validationSize = 0;
        for (boolean h : held) {
            validationSize += h ? 1 : 0;
        }
        int[] trainIdx = new int[dataset.size() - validationSize];
        int[] validIdx = new int[validationSize];
        int t = 0;
        int v = 0;
        for (int i = 0; i < held.length; i++) {
            if (held[i]) {
                validIdx[v++] = i;
            } else {
                trainIdx[t++] = i;
            }
        }
        return new TrainValidation(dataset.subset(trainIdx, dataset.name() + "/train"),
                dataset.subset(validIdx, dataset.name() + "/validation"));
    }
}
