package dev.balora.models.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An immutable, non-empty list of labelled texts (single sentences or sentence pairs) with the label
 * vocabulary that gives their class indices a meaning.
 *
 * @param name     where the examples came from (a file, a resource, or a derived name such as {@code "x/train"})
 * @param examples the examples, in source order; never empty
 * @param labels   the label vocabulary; every example's label is an index into it
 */
public record TextClassificationDataset(String name, List<Example> examples, LabelVocabulary labels) {

    /**
     * One labelled example.
     *
     * @param text     the text, never empty
     * @param textPair the second text of a sentence pair, or {@code null} for single-text tasks
     * @param label    the class index into the dataset's {@link LabelVocabulary}
     */
    public record Example(String text, String textPair, int label) {
        public Example {
            Objects.requireNonNull(text, "text");
        }

        /** A single-text example. */
        public Example(String text, int label) {
            this(text, null, label);
        }
    }

    public TextClassificationDataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(labels, "labels");
        examples = List.copyOf(examples);
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("dataset '" + name + "' has no examples");
        }
        for (int i = 0; i < examples.size(); i++) {
            int label = examples.get(i).label();
            if (label < 0 || label >= labels.size()) {
                throw new IllegalArgumentException("dataset '" + name + "' example " + i + " has label index "
                        + label + " outside [0, " + labels.size() + ") of " + labels);
            }
        }
    }

    /** Number of examples. */
    public int size() {
        return examples.size();
    }

    /** Example {@code i} in source order. */
    public Example get(int i) {
        return examples.get(i);
    }

    /** Number of examples per class: {@code counts[k]} for label index {@code k}, length {@code labels().size()}. */
    public int[] labelCounts() {
        int[] counts = new int[labels.size()];
        for (Example e : examples) {
            counts[e.label()]++;
        }
        return counts;
    }

    /** Whether the examples carry a second text (true when any example has a non-null {@link Example#textPair}). */
    public boolean hasPairs() {
        return examples.stream().anyMatch(e -> e.textPair() != null);
    }

    /**
     * The examples at {@code indices}, in that order, with the same label vocabulary.
     *
     * @param indices example indices, each in {@code [0, size())}; at least one
     * @param name    the new dataset's name
     */
    public TextClassificationDataset subset(int[] indices, String name) {
        List<Example> picked = new ArrayList<>(indices.length);
        for (int i : indices) {
            picked.add(examples.get(i));
        }
        return new TextClassificationDataset(name, picked, labels);
    }

    @Override
    public String toString() {
        return "TextClassificationDataset[" + name + ", " + examples.size() + " examples, " + labels + "]";
    }
}
