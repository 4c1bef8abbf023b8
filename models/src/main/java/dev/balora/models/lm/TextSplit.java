package dev.balora.models.lm;

import java.util.ArrayList;
import java.util.List;

/**
 * Plain-text documents split into a training part and a held-out validation part. Each document gives up the tail
 * {@code validationFraction} of its characters, cut at the next line break, so every document is represented on both
 * sides and no validation text is ever seen in training (also not by the tokenizer trainer, which learns from the
 * training part only).
 *
 * @param train      the training parts, one per document (documents whose tail is all they have are left out)
 * @param validation the held-out tails, one per document that has one
 */
public record TextSplit(List<String> train, List<String> validation) {
    public TextSplit {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
    }

    /**
     * @param documents          plain texts (at least one, not all empty)
     * @param validationFraction share of each document held out, in [0, 1)
     * @return the split; with fraction 0 the validation list is empty
     */
    public static TextSplit of(List<String> documents, double validationFraction) {
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("TextSplit.validationFraction: expected a value in [0, 1), got "
                    + validationFraction);
        }
        if (documents.isEmpty()) {
            throw new IllegalArgumentException("TextSplit.documents: expected at least one document, got none");
        }
        List<String> train = new ArrayList<>();
        List<String> validation = new ArrayList<>();
        for (String d : documents) {
            int cut = cut(d, validationFraction);
            if (cut > 0) {
                train.add(d.substring(0, cut));
            }
            if (cut < d.length()) {
                validation.add(d.substring(cut));
            }
        }
        if (train.isEmpty()) {
            throw new IllegalArgumentException("TextSplit.documents: no training text left after holding out "
                    + validationFraction + " of " + documents.size() + " documents");
        }
        return new TextSplit(train, validation);
    }

    /** The index where the validation tail begins: just after the first line break at or past (1 − f)·length. */
    private static int cut(String d, double f) {
        if (f == 0) {
            return d.length();
        }
        int at = (int) Math.floor((1 - f) * d.length());
        int nl = d.indexOf('\n', at);
        return nl < 0 ? d.length() : nl + 1;
    }
}
