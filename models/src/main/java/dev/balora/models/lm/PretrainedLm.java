package dev.balora.models.lm;

import dev.balora.models.bpe.BpeTokenizer;
import dev.balora.models.decoder.CausalLm;
import dev.balora.models.decoder.DecoderCheckpointException;
import dev.balora.models.decoder.DecoderOptions;
import dev.balora.models.decoder.GenerationConfig;
import dev.balora.models.decoder.Generator;
import dev.balora.models.decoder.HfDecoderCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A causal decoder with its tokenizer, stored as one Hugging Face directory: {@code config.json},
 * {@code model.safetensors} ({@link HfDecoderCheckpoint}) and {@code tokenizer.json} ({@link BpeTokenizer}).
 *
 * @param model     the decoder (possibly carrying LoRA adapters after a fine-tune)
 * @param tokenizer its tokenizer
 */
public record PretrainedLm(CausalLm model, BpeTokenizer tokenizer) {
    /** The tokenizer file inside a model directory. */
    public static final String TOKENIZER = "tokenizer.json";

    public PretrainedLm {
        if (tokenizer.vocabSize() > model.config().vocabSize()) {
            throw new IllegalArgumentException("PretrainedLm: the tokenizer has " + tokenizer.vocabSize()
                    + " ids but the model's vocab_size is " + model.config().vocabSize());
        }
    }

    /**
     * Loads a directory written by {@link #save} (or any LLaMA/GPT-2 directory with a byte-level BPE tokenizer.json),
     * with float32 parameters, in evaluation mode.
     *
     * @throws DecoderCheckpointException when a file is missing or does not fit the model
     */
    public static PretrainedLm load(Path dir) throws IOException {
        Path tok = dir.resolve(TOKENIZER);
        if (!Files.isRegularFile(tok)) {
            throw new DecoderCheckpointException(tok, TOKENIZER, "a tokenizer file next to " + HfDecoderCheckpoint.CONFIG,
                    "no such file");
        }
        CausalLm model = HfDecoderCheckpoint.load(dir, DecoderOptions.defaults());
        BpeTokenizer tokenizer = BpeTokenizer.load(tok);
        if (tokenizer.vocabSize() > model.config().vocabSize()) {
            throw new DecoderCheckpointException(tok, "vocab", "at most vocab_size = " + model.config().vocabSize()
                    + " ids (config.json)", tokenizer.vocabSize() + " ids");
        }
        return new PretrainedLm(model, tokenizer);
    }

    /**
     * Writes config.json, model.safetensors and tokenizer.json to {@code dir} (created if needed).
     *
     * @throws dev.balora.models.decoder.DecoderException when the model carries LoRA adapters (save those with
     *                                                    {@link LmFineTuneRun#saveAdapter})
     */
    public void save(Path dir) throws IOException {
        HfDecoderCheckpoint.save(model, dir);
        tokenizer.save(dir.resolve(TOKENIZER));
    }

    /**
     * Continues {@code prompt} ({@link Generator}; the prompt is cut to its last maxPositions − 1 tokens so at least
     * one new token fits).
     *
     * @return the new token ids only
     */
    public int[] generateIds(String prompt, GenerationConfig config) {
        int[] ids = tokenizer.encode(prompt);
        if (ids.length == 0) {
            int eos = model.config().eosTokenId();
            ids = new int[] {Math.max(eos, 0)};
        }
        int keep = Math.min(ids.length, model.config().maxPositions() - 1);
        int[] tail = Arrays.copyOfRange(ids, ids.length - keep, ids.length);
        return Generator.generate(model, tail, config);
    }

    /** @return the decoded continuation of {@code prompt} (special tokens left out) */
    public String continueText(String prompt, GenerationConfig config) {
        return tokenizer.decode(generateIds(prompt, config), true);
    }
}
