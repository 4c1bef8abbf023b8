package dev.balora.models.hf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.balora.core.io.AtomicFiles;
import dev.balora.core.lora.LoraInjector;
import dev.balora.core.lora.LoraLinear;
import dev.balora.core.tensor.Tensor;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.bert.BertForSequenceClassification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fine-tuned classifier with its adapters folded into the weights (W = W_res + s·B·A), as a sentence-transformers
 * folder whose root is a transformers {@code BertModel}:
 * <pre>
 * config.json, model.safetensors   the encoder (BertModel, keys embeddings.… / encoder.…), label maps
 *                                  id2label / label2id; no pooler (the classifier never uses one)
 * modules.json, 1_Pooling/, 2_Dense/, sentence_bert_config.json, config_sentence_transformers.json
 *                                  encoder → the classifier's pooling → its linear head (identity activation)
 * tokenizer.json, tokenizer_config.json, special_tokens_map.json, vocab.txt   truncation at the run's length
 * labels.txt, README.md            label names (one line, comma-separated); the model card
 * </pre>
 * {@code SentenceTransformer(dir).encode(texts)} returns balora's logits. balora reads the folder back as a base
 * ({@code --model DIR}): the encoder weights and tokenizer.
 */
public final class MergedFolder {
    private MergedFolder() {}

    /**
     * Merges any unmerged adapters of {@code model} in place, then writes the folder.
     *
     * @param dir       created if absent; files of the same names are replaced atomically, modules.json last
     * @param model     the fine-tuned classifier
     * @param enc       the base it was trained from (architecture, tokenizer, Hub id)
     * @param labels    label names in output order
     * @param maxLength the run's tokens per text
     */
    public static void write(Path dir, BertForSequenceClassification model, PretrainedEncoder enc, List<String> labels,
                             int maxLength) throws IOException {
        if (labels.size() != model.numLabels()) {
            throw new IllegalArgumentException(labels.size() + " label names for a head of " + model.numLabels());
        }
        LoraInjector.adapters(model).values().stream().filter(l -> !l.isMerged()).forEach(LoraLinear::merge);
        Map<String, Tensor> encoder = new LinkedHashMap<>();
        model.bert().namedParameters().forEach((k, t) -> {
            if (!k.contains(".lora_A.") && !k.contains(".lora_B.")) {
                encoder.put(k, t);
            }
        });
        String baseId = HubBase.of(enc).nameOrPath();
        Files.createDirectories(dir);
        WeightsFile.writeTensors(dir, encoder);
        ObjectNode cfg = enc.config().toJsonObject();
        ObjectNode id2label = cfg.putObject("id2label");
        ObjectNode label2id = cfg.putObject("label2id");
        for (int i = 0; i < labels.size(); i++) {
            id2label.put(Integer.toString(i), labels.get(i));
            label2id.put(labels.get(i), i);
        }
        JsonFiles.write(dir.resolve("config.json"), cfg);
        TokenizerFiles.write(dir, enc.tokenizerJson(), enc.tokenizer().source(), maxLength);
        AtomicFiles.writeString(dir.resolve("labels.txt"), String.join(",", labels) + "\n");
        AtomicFiles.writeString(dir.resolve(ModelCard.FILE), ModelCard.merged(dir, baseId, labels, maxLength, model.pooling()));
        SentenceTransformerLayout.write(dir, enc.config().hidden(), model.pooling(), false, AdapterFolder.head(model),
                maxLength);
    }
}
