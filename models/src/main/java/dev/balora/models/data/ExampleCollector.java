package dev.balora.models.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Gathers raw (text, pair, label string) records while a reader walks a file, then resolves the label
 * strings to indices. With a given vocabulary an unknown label fails at once, on its own line; without one
 * the vocabulary is the sorted set of labels seen, built at the end.
 */
final class ExampleCollector {
    private record Pending(String text, String textPair, String label) {}

    private final String source;
    private final LabelVocabulary vocabulary;
    private final List<Pending> pending = new ArrayList<>();

    /** @param vocabulary the fixed vocabulary, or {@code null} to derive a sorted one from the data */
    ExampleCollector(String source, LabelVocabulary vocabulary) {
        this.source = source;
        this.vocabulary = vocabulary;
    }

    /** Validates and records one example that starts on {@code line}. */
    void add(long line, String textField, String text, String pairField, String textPair, String labelField,
             String label) {
        if (text.isBlank()) {
            throw new DatasetFormatException(source, line, textField, "empty text");
        }
        if (pairField != null && textPair.isBlank()) {
            throw new DatasetFormatException(source, line, pairField, "empty text pair");
        }
        String trimmedLabel = label.strip();
        if (trimmedLabel.isEmpty()) {
            throw new DatasetFormatException(source, line, labelField, "empty label");
        }
        if (vocabulary != null && vocabulary.find(trimmedLabel).isEmpty()) {
            throw new DatasetFormatException(source, line, labelField, vocabulary.unknownLabelMessage(trimmedLabel));
        }
        pending.add(new Pending(text, pairField == null ? null : textPair, trimmedLabel));
    }

    /** The dataset; a source without a single example is an error. */
    TextClassificationDataset build() {
        if (pending.isEmpty()) {
            throw new DatasetFormatException(source, 0, null, "no examples: the dataset is empty");
        }
        LabelVocabulary labels = vocabulary != null ? vocabulary
                : LabelVocabulary.sorted(pending.stream().map(Pending::label).toList());
        List<TextClassificationDataset.Example> examples = new ArrayList<>(pending.size());
        for (Pending p : pending) {
            examples.add(new TextClassificationDataset.Example(p.text(), p.textPair(), labels.index(p.label())));
        }
        return new TextClassificationDataset(source, examples, labels);
    }
}
