package dev.balora.core.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one JSON mapper of the package, and the config as a JSON-friendly map. */
final class Json {
    /** Doubles are written with {@link Double#toString}, which reads back to the same bits. */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(SerializationFeature.INDENT_OUTPUT, false);

    private Json() {}

    /** @return the pretty-printed {@code summary.json}; a loss never computed (NaN) is written as null */
    static String summary(TrainingSummary s, TrainerConfig c) throws com.fasterxml.jackson.core.JsonProcessingException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("steps", s.steps());
        json.put("total_steps", s.totalSteps());
        json.put("epochs", s.epochs());
        json.put("final_loss", finite(s.finalLoss()));
        json.put("final_task_loss", finite(s.finalTaskLoss()));
        json.put("final_eval", s.finalEval());
        json.put("examples_seen", s.examplesSeen());
        json.put("tokens_seen", s.tokensSeen());
        json.put("elapsed_s", s.elapsedSeconds());
        json.put("examples_per_s", s.examplesPerSecond());
        json.put("resumed_from_step", s.resumedFromStep());
        json.put("stopped_early", s.stoppedEarly());
        json.put("config", config(c));
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n";
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** @return the config's fields by name, the output directory as a string */
    static Map<String, Object> config(TrainerConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", c.epochs());
        m.put("max_steps", c.maxSteps());
        m.put("micro_batch_size", c.microBatchSize());
        m.put("gradient_accumulation_steps", c.gradientAccumulationSteps());
        m.put("learning_rate", c.learningRate());
        m.put("warmup_steps", c.warmupSteps());
        m.put("warmup_ratio", c.warmupRatio());
        m.put("decay", c.decay().name().toLowerCase(java.util.Locale.ROOT));
        m.put("weight_decay", c.weightDecay());
        m.put("beta1", c.beta1());
        m.put("beta2", c.beta2());
        m.put("eps", c.eps());
        m.put("max_grad_norm", c.maxGradNorm());
        m.put("eval_every", c.evalEvery());
        m.put("checkpoint_every", c.checkpointEvery());
        m.put("seed", c.seed());
        m.put("output_dir", c.outputDir().toString());
        return m;
    }
}
