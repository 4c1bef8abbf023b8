package dev.balora.models.lm;

import dev.balora.models.bpe.BpeTokenizer;
import dev.balora.models.decoder.LmData;
import dev.balora.models.decoder.LmExample;
import java.util.List;

/**
 * Tokenized training and validation blocks of a {@link TextSplit}: each side is one token stream (documents separated
 * by the end token) cut into blocks of T positions with every position labelled ({@link LmData#blocks}).
 *
 * @param train      training blocks, each [T]
 * @param validation validation blocks, each [T] (empty when nothing was held out or the held-out text is shorter than
 *                   one block)
 * @param blockLength T
 */
public record LmCorpus(List<LmExample> train, List<LmExample> validation, int blockLength) {
    public LmCorpus {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
    }

    /**
     * @param tokenizer   the tokenizer
     * @param split       the texts
     * @param eosId       the end token placed after every document, or −1
     * @param blockLength T (≥ 1)
     * @throws IllegalArgumentException when the training text does not fill one block
     */
    public static LmCorpus encode(BpeTokenizer tokenizer, TextSplit split, int eosId, int blockLength) {
        List<LmExample> train = LmData.blocks(LmData.tokenStream(tokenizer, split.train(), eosId), blockLength);
        List<LmExample> validation = split.validation().isEmpty() ? List.of()
                : LmData.blocks(LmData.tokenStream(tokenizer, split.validation(), eosId), blockLength);
        if (train.isEmpty()) {
            throw new IllegalArgumentException("LmCorpus: the training text gives no block of " + blockLength
                    + " tokens (+1 label); use shorter blocks or more text");
        }
        return new LmCorpus(train, validation, blockLength);
    }

    /** @return predicted tokens in the training blocks (N·T) */
    public long trainTokens() {
        return (long) train.size() * blockLength;
    }

    /** @return predicted tokens in the validation blocks */
    public long validationTokens() {
        return (long) validation.size() * blockLength;
    }
}
