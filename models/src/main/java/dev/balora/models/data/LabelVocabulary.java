package dev.balora.models.data;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * A fixed, ordered mapping between label strings and class indices {@code 0 .. size()-1}.
 *
 * <p>The order is part of a trained model's contract (row {@code k} of the classifier head is label
 * {@code k}), so it is never derived from file order: either given explicitly ({@link #of}) or the natural
 * order of the labels seen ({@link #sorted}).
 */
public final class LabelVocabulary {
    private final List<String> labels;
    private final Map<String, Integer> indices;

    private LabelVocabulary(List<String> labels) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("a label vocabulary needs at least one label");
        }
        Map<String, Integer> map = new HashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            String label = labels.get(i);
            if (label == null || label.isEmpty()) {
                throw new IllegalArgumentException("label " + i + " is null or empty in " + labels);
            }
            Integer previous = map.put(label, i);
            if (previous != null) {
                throw new IllegalArgumentException(
                        "label '" + label + "' appears twice (indices " + previous + " and " + i + ") in " + labels);
            }
        }
        this.labels = List.copyOf(labels);
        this.indices = Map.copyOf(map);
    }

    /** A vocabulary with exactly these labels in this order; duplicates or empty labels are rejected. */
    public static LabelVocabulary of(List<String> labels) {
        return new LabelVocabulary(new ArrayList<>(labels));
    }

    /** Varargs form of {@link #of(List)}. */
    public static LabelVocabulary of(String... labels) {
        return of(List.of(labels));
    }

    /**
     * The distinct labels in natural order: numeric order when every label is a decimal integer (so
     * {@code "2" < "10"}), lexicographic order of the strings otherwise.
     */
    public static LabelVocabulary sorted(Collection<String> labels) {
        boolean allIntegers = !labels.isEmpty() && labels.stream().allMatch(LabelVocabulary::isInteger);
        Comparator<String> order = allIntegers
                ? Comparator.comparing((String s) -> new BigInteger(s)).thenComparing(Comparator.naturalOrder())
                : Comparator.naturalOrder();
        TreeSet<String> distinct = new TreeSet<>(order);
        distinct.addAll(labels);
        return new LabelVocabulary(new ArrayList<>(distinct));
    }

    private static boolean isInteger(String s) {
        if (s == null || s.isEmpty() || s.length() > 18) {
            return false;
        }
        int start = s.charAt(0) == '-' ? 1 : 0;
        if (start == s.length()) {
            return false;
        }
        for (int i = start; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Number of classes. */
    public int size() {
        return labels.size();
    }

    /** The labels, index {@code k} at position {@code k}. */
    public List<String> labels() {
        return labels;
    }

    /** The label string of class {@code index}. */
    public String label(int index) {
        if (index < 0 || index >= labels.size()) {
            throw new IndexOutOfBoundsException("label index " + index + " outside [0, " + labels.size() + ")");
        }
        return labels.get(index);
    }

    /** The class index of {@code label}, or empty when it is not in the vocabulary. */
    public OptionalInt find(String label) {
        Integer i = indices.get(label);
        return i == null ? OptionalInt.empty() : OptionalInt.of(i);
    }

    /**
     * The class index of {@code label}.
     *
     * @throws IllegalArgumentException naming the label and the known labels when it is not in the vocabulary
     */
    public int index(String label) {
        Integer i = indices.get(label);
        if (i == null) {
            throw new IllegalArgumentException(unknownLabelMessage(label));
        }
        return i;
    }

    /** "unknown label 'x'; known labels: [a, b]", shortened when the vocabulary is large. */
    String unknownLabelMessage(String label) {
        String shown = label.length() > 80 ? label.substring(0, 80) + "..." : label;
        String known = labels.size() <= 20 ? labels.toString()
                : labels.subList(0, 20) + " and " + (labels.size() - 20) + " more";
        return "unknown label '" + shown + "'; known labels: " + known;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelVocabulary other && labels.equals(other.labels);
    }

    @Override
    public int hashCode() {
        return labels.hashCode();
    }

    @Override
    public String toString() {
        return "LabelVocabulary" + labels;
    }
}
