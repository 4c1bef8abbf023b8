package dev.balora.models.tokenizer;

import java.util.List;

/**
 * Where the special tokens go around one sequence and around a pair, with the token type id of every part:
 * Hugging Face's {@code TemplateProcessing}, to which {@code BertProcessing} is converted. For BERT:
 * single {@code [CLS] A [SEP]}, pair {@code [CLS] A [SEP] B [SEP]} with type ids 0 for A's part and 1 for B's.
 *
 * @param single pieces for one sequence
 * @param pair   pieces for a pair
 */
record PostProcessorTemplate(List<Piece> single, List<Piece> pair) {

    /** One part of a template. */
    sealed interface Piece permits Special, Sequence {
    }

    /** Fixed token ids with their type id. */
    record Special(int[] ids, int typeId) implements Piece {
    }

    /** The content of input sequence {@code index} (0 = A, 1 = B), all given type id {@code typeId}. */
    record Sequence(int index, int typeId) implements Piece {
    }

    /** A template that adds nothing, for files whose {@code post_processor} is null. */
    static PostProcessorTemplate none() {
        return new PostProcessorTemplate(List.of(new Sequence(0, 0)), List.of(new Sequence(0, 0), new Sequence(1, 1)));
    }

    /** Number of special token ids the template adds for one sequence ({@code pair = false}) or a pair. */
    int addedTokens(boolean pair) {
        int n = 0;
        for (Piece piece : pair ? this.pair : single) {
            if (piece instanceof Special special) {
                n += special.ids().length;
            }
        }
        return n;
    }

    /**
     * Lays out the final encoding.
     *
     * @param first  ids of sequence A
     * @param second ids of sequence B, or null for a single sequence
     */
    Encoding apply(IntList first, IntList second) {
        List<Piece> pieces = second == null ? single : pair;
        int length = 0;
        for (Piece piece : pieces) {
            length += switch (piece) {
                case Special special -> special.ids().length;
                case Sequence sequence -> (sequence.index() == 0 ? first : second).size();
            };
        }
        int[] ids = new int[length];
        int[] types = new int[length];
        int[] mask = new int[length];
        java.util.Arrays.fill(mask, 1);
        int at = 0;
        for (Piece piece : pieces) {
            switch (piece) {
                case Special special -> {
                    for (int id : special.ids()) {
                        types[at] = special.typeId();
                        ids[at++] = id;
                    }
                }
                case Sequence sequence -> {
                    IntList source = sequence.index() == 0 ? first : second;
                    for (int i = 0; i < source.size(); i++) {
                        types[at] = sequence.typeId();
                        ids[at++] = source.get(i);
                    }
                }
            }
        }
        return new Encoding(ids, types, mask);
    }
}
