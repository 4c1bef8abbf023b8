package dev.balora.models.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The shipped Amazon fine-food reviews (R package modeldata, MIT; see {@code data/food-reviews/README.md}):
 * binary sentiment, label {@code great} (index 0) or {@code other} (index 1).
 * Train: 4,000 reviews (2,600 / 1,400); test: 1,000 reviews (658 / 342).
 *
 * <p>Read from the models jar's classpath copy, from {@code -Dbalora.data.dir}, or from {@code data/} in a
 * source checkout (see {@link ShippedData} for the order).
 */
public final class FoodReviews {
    /** The label order: {@code great} = 0, {@code other} = 1 (also the sorted order). */
    public static final LabelVocabulary LABELS = LabelVocabulary.of("great", "other");

    private static final DelimitedReader READER = DelimitedReader.tsv()
            .withTextColumn("text").withLabelColumn("label").withLabels(LABELS);

    private FoodReviews() {}

    /** The 4,000 training reviews, in file order. */
    public static TextClassificationDataset train() {
        return load("food-reviews/food-reviews-train.tsv");
    }

    /** The 1,000 test reviews, in file order. */
    public static TextClassificationDataset test() {
        return load("food-reviews/food-reviews-test.tsv");
    }

    private static TextClassificationDataset load(String name) {
        ShippedData.Opened opened = ShippedData.open(name);
        try (InputStream in = opened.stream()) {
            return READER.read(in, opened.source());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + opened.source(), e);
        }
    }
}
