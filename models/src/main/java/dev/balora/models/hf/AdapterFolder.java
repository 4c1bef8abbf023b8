package dev.balora.models.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.balora.core.io.AtomicFiles;
import dev.balora.core.lora.LoraConfig;
import dev.balora.core.lora.LoraInit;
import dev.balora.core.lora.LoraInjector;
import dev.balora.core.lora.peft.LoadedAdapter;
import dev.balora.core.lora.peft.PeftAdapter;
import dev.balora.core.ops.Constants;
import dev.balora.core.tensor.Tensor;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.bert.BertForSequenceClassification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A fine-tuned classifier's adapter as a folder that PEFT, transformers and sentence-transformers load with no custom
 * code, and that {@code balora eval/export/merge} read back:
 * <pre>
 * adapter_config.json, adapter_model.safetensors  PEFT LoRA on the ENCODER (keys base_model.model.encoder.…),
 *                                                 task_type FEATURE_EXTRACTION, base_model_name_or_path = Hub id
 * modules.json, sentence_bert_config.json,        sentence-transformers: encoder (+ adapter) → 1_Pooling → 2_Dense,
 * config_sentence_transformers.json, 1_Pooling/,  the classification head (identity activation), so
 * 2_Dense/                                        SentenceTransformer(dir).encode(texts) = balora's logits
 * tokenizer.json, tokenizer_config.json, …       truncation at the run's max length ({@link TokenizerFiles})
 * balora_config.json                              balora's settings: labels, method, pooling, max_length,
 *                                                 adapter_root "bert", head "2_Dense"
 * README.md                                       the model card: how to load it
 * </pre>
 * Why the encoder and not the classifier is PEFT's model: PEFT's sequence-classification class puts BERT's own
 * tanh-pooler head under the adapter, which is not balora's classifier ({@link dev.balora.models.hf}); on the
 * encoder, {@code AutoPeftModelForFeatureExtraction} is exact and {@code AutoPeftModelForSequenceClassification}
 * refuses the task type instead of loading silently wrong.
 *
 * <p>Adapters written before this layout (the PEFT model was the classifier, the head a {@code modules_to_save}
 * entry, no {@code adapter_root}) still load.
 */
public final class AdapterFolder {
    /** PEFT's task type of the encoder-rooted adapter. */
    public static final String TASK_TYPE = "FEATURE_EXTRACTION";
    /** The classifier's child that the PEFT model is ({@code settings.adapter_root}). */
    static final String ROOT = "bert";

    private AdapterFolder() {}

    /**
     * Writes the folder. PiSSA-initialised adapters are best written with {@code toPlainLora} (rank-2r plain LoRA,
     * exact on the original weights; SPEC §1.4); otherwise a PiSSA adapter is relative to the run's residual weights.
     *
     * @param dir         created if absent; files of the same names are replaced atomically, adapter_config.json last
     * @param model       the fine-tuned classifier, adapters injected (unmerged) per {@code cfg}, only in the encoder
     * @param cfg         the run's LoRA config
     * @param enc         the base it was trained from (Hub id, tokenizer)
     * @param labels      label names in output order
     * @param maxLength   the run's tokens per text ({@code model_max_length}, {@code max_seq_length})
     * @param settings    balora's run settings for balora_config.json (method, seed…); the layout keys are added
     * @param toPlainLora write the rank-2r plain-LoRA conversion
     */
    public static void write(Path dir, BertForSequenceClassification model, LoraConfig cfg, PretrainedEncoder enc,
                             List<String> labels, int maxLength, Map<String, Object> settings, boolean toPlainLora)
            throws IOException {
        if (labels.size() != model.numLabels()) {
            throw new IllegalArgumentException(labels.size() + " label names for a head of " + model.numLabels());
        }
        for (String path : LoraInjector.adapters(model).keySet()) {
            if (!path.startsWith(ROOT + ".")) {
                throw new IllegalArgumentException("adapter at " + path + " is outside the encoder; this layout adapts "
                        + "the encoder only");
            }
        }
        HubBase base = HubBase.of(enc);
        Map<String, Object> all = new LinkedHashMap<>(settings == null ? Map.of() : settings);
        all.put("labels", List.copyOf(labels));
        all.put("pooling", model.pooling().name().toLowerCase(Locale.ROOT));
        all.put("max_length", maxLength);
        all.put("adapter_root", ROOT);
        all.put("head", SentenceTransformerLayout.DENSE_DIR);
        Files.createDirectories(dir);
        TokenizerFiles.write(dir, enc.tokenizerJson(), enc.tokenizer().source(), maxLength);
        SentenceTransformerLayout.write(dir, enc.config().hidden(), model.pooling(), false, head(model), maxLength);
        boolean plain = toPlainLora || cfg.init() instanceof LoraInit.Kaiming;
        AtomicFiles.writeString(dir.resolve(ModelCard.FILE), ModelCard.adapter(dir, base.nameOrPath(),
                String.valueOf(all.getOrDefault("method", "LoRA")), toPlainLora ? 2 * cfg.r() : cfg.r(), labels,
                maxLength, model.pooling(), plain));
        LoraConfig encoderOnly = cfg.withModulesToSave(List.of());
        if (toPlainLora) {
            PeftAdapter.saveConverted(dir, model.bert(), encoderOnly, base.nameOrPath(), TASK_TYPE, all);
        } else {
            PeftAdapter.save(dir, model.bert(), encoderOnly, base.nameOrPath(), TASK_TYPE, all);
        }
    }

    /** @return the classifier's linear head as a sentence-transformers Dense */
    static SentenceTransformerLayout.DenseHead head(BertForSequenceClassification model) {
        Map<String, Tensor> p = model.namedParameters();
        Tensor w = p.get("classifier.weight");
        Tensor b = p.get("classifier.bias");
        return new SentenceTransformerLayout.DenseHead(w.dim(1), w.dim(0), w.toFloatArray(), b.toFloatArray());
    }

    /**
     * Loads an adapter folder onto a classifier built from the base: the LoRA weights into its encoder and the head
     * from {@code 2_Dense} — or, for a folder of the earlier layout, the adapter onto the classifier with the head as
     * {@code modules_to_save}. Everything is validated before the model changes.
     *
     * @param dir   the folder
     * @param model a classifier without adapters, with as many outputs as the folder's labels
     * @return what PEFT's loader did
     * @throws HfFolderFormatException when balora_config.json or the head is malformed or does not fit the model
     * @throws dev.balora.core.lora.peft.AdapterFormatException when the PEFT files are malformed or do not fit
     */
    public static LoadedAdapter load(Path dir, BertForSequenceClassification model) throws IOException {
        Path baloraFile = dir.resolve(PeftAdapter.BALORA_FILE);
        JsonNode settings = Files.isRegularFile(baloraFile) ? JsonFiles.readObject(baloraFile).path("settings")
                : JsonFiles.JSON.createObjectNode();
        JsonNode root = settings.get("adapter_root");
        if (root == null || root.isNull()) {
            return PeftAdapter.load(dir, model);
        }
        if (!root.isTextual() || !root.asText().equals(ROOT)) {
            throw new HfFolderFormatException(baloraFile, "settings.adapter_root", "expected \"" + ROOT + "\", got " + root);
        }
        JsonNode pooling = settings.get("pooling");
        if (pooling != null && !pooling.asText("").equalsIgnoreCase(model.pooling().name())) {
            throw new HfFolderFormatException(baloraFile, "settings.pooling", "the adapter was trained with " + pooling
                    + " pooling, the model pools with " + model.pooling().name().toLowerCase(Locale.ROOT));
        }
        Tensor w = model.namedParameters().get("classifier.weight");
        SentenceTransformerLayout.DenseHead head = SentenceTransformerLayout.readHead(dir, w.dim(1), w.dim(0));
        LoadedAdapter loaded = PeftAdapter.load(dir, model.bert());
        Map<String, Tensor> update = new LinkedHashMap<>();
        update.put("classifier.weight", Constants.like(w, toDouble(head.weight()), w.shape()));
        Tensor b = model.namedParameters().get("classifier.bias");
        update.put("classifier.bias", Constants.like(b, toDouble(head.bias()), b.shape()));
        model.loadStateDict(update, false);
        return loaded;
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    /** @return the run's tokens per text recorded in balora_config.json, or 0 when the folder predates the record */
    public static int recordedMaxLength(Path dir) throws IOException {
        Path f = dir.resolve(PeftAdapter.BALORA_FILE);
        if (!Files.isRegularFile(f)) {
            return 0;
        }
        ObjectNode o = JsonFiles.readObject(f);
        JsonNode v = o.path("settings").get("max_length");
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 3) {
            throw new HfFolderFormatException(f, "settings.max_length", "expected an integer >= 3, got " + v);
        }
        return v.asInt();
    }
}
