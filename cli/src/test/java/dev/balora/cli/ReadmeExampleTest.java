package dev.balora.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.models.PretrainedEncoder;
import dev.balora.models.data.FoodReviews;
import dev.balora.models.data.Splits;
import dev.balora.models.data.TextClassificationDataset;
import dev.balora.models.finetune.FineTuneOptions;
import dev.balora.models.finetune.FineTuneRun;
import dev.balora.models.finetune.Method;
import dev.balora.models.hf.AdapterFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's library example, compiled and run (on small slices so the test stays fast). */
class ReadmeExampleTest {
    /** Verbatim the README's "Using balora as a library" block, after the data is chosen. */
    static Map<String, Double> readmeExample(TextClassificationDataset train, TextClassificationDataset test, Path out)
            throws Exception {
        // --- README example starts ---
        PretrainedEncoder minilm = PretrainedEncoder.load("minilm");        // weights + tokenizer from the Maven artifact
        FineTuneOptions options = FineTuneOptions.defaults(Method.BALORA)    // PiSSA init + the three BA-LoRA terms
                .withSchedule(1e-3, 1, 0, 16, 64);                           // lr, epochs, max steps, batch, max tokens
        FineTuneRun.Result result = FineTuneRun.run(minilm, train, test, options, out, List.of());
        System.out.println(result.evaluation());                             // {accuracy=…, macro_f1=…, mcc=…}
        System.out.println(result.adapters().format());                      // trainable vs total parameters
        AdapterFolder.write(out.resolve("adapter"), result.model(),          // PEFT adapter + sentence-transformers
                result.loraConfig(), minilm, train.labels().labels(), 64,     // head, converted to plain LoRA: loads
                Map.of("method", "balora"), true);                            // on the original MiniLM weights
        // --- README example ends ---
        return result.evaluation();
    }

    @Test
    void theExampleRuns(@TempDir Path tmp) throws Exception {
        TextClassificationDataset train = Splits.trainValidation(FoodReviews.train(), 0.008, 1).validation();
        TextClassificationDataset test = Splits.trainValidation(FoodReviews.test(), 0.02, 1).validation();
        Map<String, Double> m = readmeExample(train, test, tmp.resolve("run"));
        assertTrue(m.get("accuracy") > 0 && m.get("accuracy") <= 1);
        assertTrue(Files.exists(tmp.resolve("run/adapter/adapter_model.safetensors")));
        assertTrue(Files.exists(tmp.resolve("run/adapter/2_Dense/model.safetensors")));
    }
}
