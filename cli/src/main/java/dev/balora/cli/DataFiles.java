package dev.balora.cli;

import dev.balora.models.data.DelimitedReader;
import dev.balora.models.data.JsonlReader;
import dev.balora.models.data.LabelVocabulary;
import dev.balora.models.data.TextClassificationDataset;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/** Reads a labelled text file by its extension: .jsonl, .csv, or .tsv (anything else is read as TSV). */
final class DataFiles {
    private DataFiles() {}

    /**
     * @param labels the label vocabulary to enforce (the training set's, for evaluation files), or null to learn it
     */
    static TextClassificationDataset read(Path file, String textColumn, String labelColumn, LabelVocabulary labels)
            throws NoSuchFileException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString());
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".json")) {
            JsonlReader r = JsonlReader.standard().withTextField(textColumn).withLabelField(labelColumn);
            return (labels == null ? r : r.withLabels(labels)).read(file);
        }
        DelimitedReader r = name.endsWith(".csv") ? DelimitedReader.csv() : DelimitedReader.tsv();
        r = r.withTextColumn(textColumn).withLabelColumn(labelColumn);
        return (labels == null ? r : r.withLabels(labels)).read(file);
    }

    /**
     * Reads a training file, learning its labels; a classifier needs at least two (one label trains to loss 0 and
     * accuracy 1.0 without learning anything).
     *
     * @throws UserInputException when the file holds a single label
     */
    static TextClassificationDataset readTraining(Path file, String textColumn, String labelColumn) throws NoSuchFileException {
        TextClassificationDataset d = read(file, textColumn, labelColumn, null);
        if (d.labels().size() < 2) {
            throw new UserInputException(file + ": column '" + labelColumn + "' holds one label ("
                    + d.labels().labels() + "); a classifier needs at least 2");
        }
        return d;
    }

    /** A deterministic, stratified subset of at most {@code max} examples (the whole set when max ≤ 0). */
    static TextClassificationDataset subset(TextClassificationDataset d, int max, long seed) {
        if (max <= 0 || max >= d.size()) {
            return d;
        }
        double fraction = (double) max / d.size();
        return dev.balora.models.data.Splits.trainValidation(d, fraction, seed).validation();
    }
}
