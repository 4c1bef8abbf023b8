package dev.balora.models.lm;

import dev.balora.core.balora.BaLoraObjective;
import dev.balora.core.balora.ConsistencyKl;
import dev.balora.core.balora.DiversityTopKEntropy;
import dev.balora.core.balora.Schedule;
import dev.balora.core.balora.SvdRegularizer;
import dev.balora.core.lora.LoraConfig;
import dev.balora.core.lora.LoraInit;
import dev.balora.core.lora.LoraInjector;
import dev.balora.core.lora.Teacher;
import dev.balora.core.lora.peft.PeftAdapter;
import dev.balora.core.train.LrSchedule;
import dev.balora.core.train.RunControl;
import dev.balora.core.train.Trainer;
import dev.balora.core.train.TrainerConfig;
import dev.balora.core.train.TrainingListener;
import dev.balora.core.train.TrainingSummary;
import dev.balora.models.decoder.CausalLm;
import dev.balora.models.decoder.DecoderConfig;
import dev.balora.models.finetune.Method;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One language-model fine-tune, start to finish: load a {@link PretrainedLm} directory, inject adapters on the
 * decoder's targets ({@link DecoderConfig#loraTargets()}), score the held-out text before training, train with the
 * core {@link Trainer} (task loss, plus the NLG regularizers for BA-LoRA), score again, and hand back the model with
 * its adapters for saving ({@link #saveAdapter}) and generation ({@link PretrainedLm#continueText}).
 *
 * <p>Files under {@code outDir}: the trainer's {@code metrics.jsonl} (with every BA-LoRA term and λ per step) and
 * {@code summary.json}.
 */
public final class LmFineTuneRun {
    /** PEFT's task type for causal language models. */
    public static final String TASK_TYPE = "CAUSAL_LM";

    private LmFineTuneRun() {}

    /**
     * @param method           the method trained
     * @param summary          the trainer's summary
     * @param before           nll, perplexity and tokens on the held-out text with the adapters at their initial values
     *                         (= the base model up to float rounding)
     * @param after            the same at the end of training
     * @param setupSeconds     wall time to load the base, tokenize and initialise the adapters (PiSSA's SVDs)
     * @param trainSeconds     wall time of training (evaluations included; the "before" evaluation excluded)
     * @param adapters         what was injected
     * @param lm               the trained model (adapters unmerged) and its tokenizer
     * @param loraConfig       the adapter settings
     * @param baseDir          the base model directory
     * @param trainBlocks      training blocks of T tokens
     * @param validationBlocks validation blocks of T tokens
     */
    public record Result(Method method, TrainingSummary summary, Map<String, Double> before, Map<String, Double> after,
                         double setupSeconds, double trainSeconds, LoraInjector.Summary adapters, PretrainedLm lm,
                         LoraConfig loraConfig, Path baseDir, int trainBlocks, int validationBlocks) {
        /** @return validation perplexity before training */
        public double perplexityBefore() {
            return before.get("perplexity");
        }

        /** @return validation perplexity after training */
        public double perplexityAfter() {
            return after.get("perplexity");
        }
    }

    /** The LoRA settings of the options on a decoder: its attention and MLP projections, nothing trained fully. */
    public static LoraConfig loraConfig(LmFineTuneOptions o, DecoderConfig decoder) {
        return new LoraConfig(o.rank(), o.alpha(), 0.0, false, o.method().init(o.pissaNiter()), decoder.loraTargets(),
                List.of(), o.seed());
    }

    /**
     * The BA-LoRA objective of the options: KL consistency (cosine schedule), top-K entropy and Frobenius SVD
     * (two_phase). With the default options it equals {@link BaLoraObjective#nlgDefaults}; terms with λ = 0 are left
     * out.
     */
    public static BaLoraObjective objective(LmFineTuneOptions o) {
        List<BaLoraObjective.Term> terms = new ArrayList<>();
        if (o.lambda1() > 0) {
            terms.add(new BaLoraObjective.Term("consistency", new ConsistencyKl(o.temperature()), o.lambda1(),
                    Schedule.COSINE));
        }
        if (o.lambda2() > 0) {
            terms.add(new BaLoraObjective.Term("diversity", new DiversityTopKEntropy(o.topK()), o.lambda2(),
                    Schedule.TWO_PHASE));
        }
        if (o.lambda3() > 0) {
            terms.add(new BaLoraObjective.Term("svd", new SvdRegularizer(SvdRegularizer.Norm.FROBENIUS, o.svdK(), o.seed()),
                    o.lambda3(), Schedule.TWO_PHASE));
        }
        return new BaLoraObjective(terms);
    }

    /** Fine-tunes the model in {@code baseDir} on the default text ({@link LmCorpora#fineTuning()}: Persuasion). */
    public static Result run(Path baseDir, LmFineTuneOptions o, Path outDir, List<TrainingListener> listeners)
            throws IOException {
        return run(baseDir, LmCorpora.fineTuning(), o, outDir, listeners);
    }

    /**
     * Fine-tunes the model in {@code baseDir} on {@code documents}.
     *
     * @param baseDir   a directory written by {@link PretrainedLm#save} (e.g. {@code pretrain-out/model})
     * @param documents plain texts; the tail {@code validationFraction} of each is held out
     * @param o         the method and its settings
     * @param outDir    receives metrics.jsonl and summary.json (must not hold an earlier run's metrics)
     * @param listeners progress listeners
     * @throws IllegalArgumentException when blockLength exceeds the model's maxPositions or the text is too short
     */
    public static Result run(Path baseDir, List<String> documents, LmFineTuneOptions o, Path outDir,
                             List<TrainingListener> listeners) throws IOException {
        return run(baseDir, documents, o, outDir, RunControl.NONE, listeners);
    }

    /**
     * As {@link #run(Path, List, LmFineTuneOptions, Path, List)}, with checkpoints, resume and a stop signal per
     * {@code control}: with {@code control.resume()} the run that {@code outDir} holds continues from its checkpoint
     * (same base, text and options) and ends as an uninterrupted run, bit for bit.
     *
     * @throws dev.balora.core.train.TrainingStoppedException when {@code control.stop()} was requested: the step in
     *                                                        progress was finished and checkpointed
     */
    public static Result run(Path baseDir, List<String> documents, LmFineTuneOptions o, Path outDir, RunControl control,
                             List<TrainingListener> listeners) throws IOException {
        long t0 = System.nanoTime();
        PretrainedLm base = PretrainedLm.load(baseDir);
        CausalLm model = base.model();
        if (o.blockLength() > model.config().maxPositions()) {
            throw new IllegalArgumentException("LmFineTuneOptions.blockLength: expected at most the model's maxPositions = "
                    + model.config().maxPositions() + " (" + baseDir + "), got " + o.blockLength());
        }
        LmCorpus corpus = LmCorpus.encode(base.tokenizer(), TextSplit.of(documents, o.validationFraction()),
                model.config().eosTokenId(), o.blockLength());
        if (corpus.validation().isEmpty()) {
            throw new IllegalArgumentException("LmFineTuneRun: the held-out " + o.validationFraction()
                    + " of the text gives no validation block of " + o.blockLength() + " tokens");
        }
        LoraConfig lora = loraConfig(o, model.config());
        LoraInjector.Summary adapters = LoraInjector.inject(model, lora);
        BaLoraObjective objective = o.method().regularized() ? objective(o) : null;
        // Teacher outputs are logits at every labelled position ([N·T, V] per batch): too large to cache per block.
        Teacher teacher = objective == null ? null : new Teacher(model, o.teacherKind(), false);
        LanguageModelTask task = new LanguageModelTask(model, corpus.train(), corpus.validation(), objective, teacher, 16);
        double setupSeconds = (System.nanoTime() - t0) / 1e9;

        Map<String, Double> before = task.evaluate(corpus.validation()).metrics();
        Trainer trainer = new Trainer(task, control.applyTo(trainerConfigBuilder(o, outDir)).build());
        listeners.forEach(trainer::addListener);
        long t1 = System.nanoTime();
        model.train();
        TrainingSummary summary = control.train(trainer);
        model.eval();
        double trainSeconds = (System.nanoTime() - t1) / 1e9;
        return new Result(o.method(), summary, before, summary.finalEval(), setupSeconds, trainSeconds, adapters,
                new PretrainedLm(model, base.tokenizer()), lora, baseDir, corpus.train().size(), corpus.validation().size());
    }

    /** The trainer settings of the options: AdamW, warm-up then linear decay (as the classification fine-tune). */
    public static TrainerConfig trainerConfig(LmFineTuneOptions o, Path outDir) {
        return trainerConfigBuilder(o, outDir).build();
    }

    private static TrainerConfig.Builder trainerConfigBuilder(LmFineTuneOptions o, Path outDir) {
        TrainerConfig.Builder b = TrainerConfig.builder(outDir).microBatchSize(o.batch())
                .gradientAccumulationSteps(o.accumulation()).learningRate(o.lr()).warmupRatio(o.warmupRatio())
                .decay(LrSchedule.Decay.LINEAR).weightDecay(o.weightDecay()).maxGradNorm(o.maxGradNorm())
                .evalEvery(o.evalEvery()).seed(o.seed());
        return o.maxSteps() > 0 ? b.maxSteps(o.maxSteps()) : b.epochs(o.epochs());
    }

    /**
     * Saves the run's adapter as a PEFT directory ({@code task_type} CAUSAL_LM) that applies to the <em>original</em>
     * base model: LoRA adapters as they are; PiSSA-initialised ones (pissa, balora) converted to plain rank-2r LoRA
     * ({@link PeftAdapter#saveConverted}, SPEC §1.4), since their A, B are relative to W_res, not to the saved base.
     *
     * @param r   the run
     * @param dir created if needed
     */
    public static void saveAdapter(Result r, Path dir) throws IOException {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("method", r.method().cliName());
        settings.put("task", "lm");
        settings.put("validation_perplexity_before", r.perplexityBefore());
        settings.put("validation_perplexity_after", r.perplexityAfter());
        String base = r.baseDir().toString();
        if (r.loraConfig().init() instanceof LoraInit.Kaiming) {
            PeftAdapter.save(dir, r.lm().model(), r.loraConfig(), base, TASK_TYPE, settings);
        } else {
            PeftAdapter.saveConverted(dir, r.lm().model(), r.loraConfig(), base, TASK_TYPE, settings);
        }
    }

    /**
     * Loads a base directory with an adapter saved by {@link #saveAdapter} applied on top (eval mode).
     *
     * @param baseDir    the base model directory
     * @param adapterDir the PEFT adapter directory
     */
    public static PretrainedLm loadWithAdapter(Path baseDir, Path adapterDir) throws IOException {
        PretrainedLm lm = PretrainedLm.load(baseDir);
        PeftAdapter.load(adapterDir, lm.model());
        lm.model().eval();
        return lm;
    }
}
