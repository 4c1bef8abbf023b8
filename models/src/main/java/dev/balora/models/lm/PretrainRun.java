package dev.balora.models.lm;

import dev.balora.core.train.LrSchedule;
import dev.balora.core.train.RunControl;
import dev.balora.core.train.Trainer;
import dev.balora.core.train.TrainerConfig;
import dev.balora.core.train.TrainingListener;
import dev.balora.core.train.TrainingSummary;
import dev.balora.models.bpe.BpeTokenizer;
import dev.balora.models.bpe.BpeTrainer;
import dev.balora.models.decoder.CausalLm;
import dev.balora.models.decoder.DecoderOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Pre-trains a small LLaMA-style decoder from scratch, start to finish: hold out the tail of every document
 * ({@link TextSplit}), learn a byte-level BPE on the training part ({@link BpeTrainer}, end token
 * {@value #END_OF_TEXT} at id 0), cut both parts into blocks ({@link LmCorpus}), train every parameter with the core
 * {@link Trainer} (AdamW, warm-up + cosine decay, β = (0.9, 0.95)), report validation perplexity and save the result
 * as a Hugging Face directory ({@link PretrainedLm#save}).
 *
 * <p>Files under {@code outDir}: the trainer's {@code metrics.jsonl} and {@code summary.json}, and {@code model/}
 * with {@code config.json}, {@code model.safetensors} and {@code tokenizer.json}.
 */
public final class PretrainRun {
    /** The end-of-document token, the tokenizer's only special token. */
    public static final String END_OF_TEXT = "<|endoftext|>";
    /** The model directory inside the output directory. */
    public static final String MODEL_DIR = "model";

    private PretrainRun() {}

    /**
     * @param lm                the trained model and its tokenizer
     * @param modelDir          where they were saved ({@code outDir/model})
     * @param summary           the trainer's summary
     * @param validation        nll, perplexity and tokens on the held-out text at the end
     * @param parameters        parameter elements of the model
     * @param trainBlocks       training blocks of T tokens
     * @param validationBlocks  validation blocks of T tokens
     * @param tokenizerSeconds  wall time of the BPE training and of tokenizing the text
     * @param trainSeconds      wall time of training (evaluations included)
     */
    public record Result(PretrainedLm lm, Path modelDir, TrainingSummary summary, Map<String, Double> validation,
                         long parameters, int trainBlocks, int validationBlocks, double tokenizerSeconds,
                         double trainSeconds) {
        /** @return the validation perplexity at the end */
        public double perplexity() {
            return validation.get("perplexity");
        }
    }

    /** Pre-trains on the default text ({@link LmCorpora#pretraining()}: five Austen novels). */
    public static Result run(PretrainOptions o, Path outDir, List<TrainingListener> listeners) throws IOException {
        return run(LmCorpora.pretraining(), o, outDir, listeners);
    }

    /**
     * @param documents plain texts (each ends with an end token in the stream)
     * @param o         tokenizer, architecture and schedule
     * @param outDir    receives metrics.jsonl, summary.json and model/ (must not hold an earlier run's metrics)
     * @param listeners progress listeners
     * @throws IllegalArgumentException when the text is too short for one training and one validation block
     */
    public static Result run(List<String> documents, PretrainOptions o, Path outDir, List<TrainingListener> listeners)
            throws IOException {
        return run(documents, null, o, outDir, listeners);
    }

    /**
     * As {@link #run(List, PretrainOptions, Path, List)}, optionally with a given tokenizer instead of a freshly trained
     * one. Controlled comparisons (two bases pre-trained on two variants of a text) pass the same tokenizer to both, so
     * that their token streams, vocabularies and perplexities are comparable.
     *
     * @param tokenizer a byte-level BPE with the {@value #END_OF_TEXT} token, or null to train one on the text
     *                  ({@link PretrainOptions#vocabSize} is then ignored: the model's vocabulary is the tokenizer's)
     * @throws IllegalArgumentException when the given tokenizer has no {@value #END_OF_TEXT} token
     */
    public static Result run(List<String> documents, BpeTokenizer tokenizer, PretrainOptions o, Path outDir,
                             List<TrainingListener> listeners) throws IOException {
        return run(documents, tokenizer, o, outDir, RunControl.NONE, listeners);
    }

    /**
     * As {@link #run(List, BpeTokenizer, PretrainOptions, Path, List)}, with checkpoints, resume and a stop signal per
     * {@code control}: with {@code control.resume()} the run that {@code outDir} holds continues from its checkpoint
     * (same text, tokenizer and options; the BPE is learnt again, deterministically) and ends as an uninterrupted run,
     * bit for bit.
     *
     * @throws dev.balora.core.train.TrainingStoppedException when {@code control.stop()} was requested: the step in
     *                                                        progress was finished and checkpointed
     */
    public static Result run(List<String> documents, BpeTokenizer tokenizer, PretrainOptions o, Path outDir,
                             RunControl control, List<TrainingListener> listeners) throws IOException {
        long t0 = System.nanoTime();
        TextSplit split = TextSplit.of(documents, o.validationFraction());
        if (tokenizer == null) {
            tokenizer = new BpeTrainer(o.vocabSize(), o.bpeMinFrequency(), List.of(END_OF_TEXT)).train(split.train());
        }
        int eos = tokenizer.tokenToId(END_OF_TEXT);
        if (eos < 0) {
            throw new IllegalArgumentException("PretrainRun.tokenizer: expected a " + END_OF_TEXT
                    + " token, got a tokenizer without it (" + tokenizer.vocabSize() + " ids)");
        }
        LmCorpus corpus = LmCorpus.encode(tokenizer, split, eos, o.blockLength());
        if (corpus.validation().isEmpty()) {
            throw new IllegalArgumentException("PretrainRun: the held-out " + o.validationFraction()
                    + " of the text gives no validation block of " + o.blockLength() + " tokens");
        }
        double tokenizerSeconds = (System.nanoTime() - t0) / 1e9;

        CausalLm model = new CausalLm(o.decoderConfig(tokenizer.vocabSize(), eos), DecoderOptions.defaults().withSeed(o.seed()));
        LanguageModelTask task = LanguageModelTask.plain(model, corpus.train(), corpus.validation());
        Trainer trainer = new Trainer(task, control.applyTo(trainerConfigBuilder(o, outDir)).build());
        listeners.forEach(trainer::addListener);
        long t1 = System.nanoTime();
        model.train();
        TrainingSummary summary = control.train(trainer);
        model.eval();
        double trainSeconds = (System.nanoTime() - t1) / 1e9;

        PretrainedLm lm = new PretrainedLm(model, tokenizer);
        Path modelDir = outDir.resolve(MODEL_DIR);
        lm.save(modelDir);
        return new Result(lm, modelDir, summary, summary.finalEval(), model.parameterCount(), corpus.train().size(),
                corpus.validation().size(), tokenizerSeconds, trainSeconds);
    }

    /** The trainer settings of the options: AdamW β = (0.9, 0.95), warm-up then cosine decay. */
    public static TrainerConfig trainerConfig(PretrainOptions o, Path outDir) {
        return trainerConfigBuilder(o, outDir).build();
    }

    private static TrainerConfig.Builder trainerConfigBuilder(PretrainOptions o, Path outDir) {
        TrainerConfig.Builder b = TrainerConfig.builder(outDir).microBatchSize(o.batch())
                .gradientAccumulationSteps(o.accumulation()).learningRate(o.lr()).warmupRatio(o.warmupRatio())
                .decay(LrSchedule.Decay.COSINE).weightDecay(o.weightDecay()).betas(0.9, 0.95)
                .maxGradNorm(o.maxGradNorm()).evalEvery(o.evalEvery()).seed(o.seed());
        return o.maxSteps() > 0 ? b.maxSteps(o.maxSteps()) : b.epochs(o.epochs());
    }
}
