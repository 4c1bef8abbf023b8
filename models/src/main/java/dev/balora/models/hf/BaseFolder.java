package dev.balora.models.hf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.balora.core.io.AtomicFiles;
import dev.balora.models.PretrainedEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A pre-trained base encoder as Hugging Face files, laid out as its sentence-transformers model on the Hub:
 * config.json ({@code BertModel}, {@code _name_or_path} and {@link HubBase#HUB_ID_KEY} = the Hub id) + model.safetensors (the weights balora reads
 * from the ONNX artifact, transformers' names, no pooler), the tokenizer files, modules.json → 1_Pooling (the
 * model's own pooling) → 2_Normalize when the model normalises, and a model card. The folder is also a balora base
 * ({@code --model DIR}); adapters fine-tuned on it name the same Hub id as their base.
 */
public final class BaseFolder {
    private BaseFolder() {}

    /**
     * @param dir       created if absent; files are replaced atomically, modules.json last
     * @param enc       the base
     * @param maxLength tokens per text ({@code model_max_length}, {@code max_seq_length}); 0 = the published model's
     * @return the base's Hub facts that were written
     */
    public static HubBase write(Path dir, PretrainedEncoder enc, int maxLength) throws IOException {
        HubBase base = HubBase.of(enc);
        int length = maxLength > 0 ? maxLength : base.maxSeqLength();
        if (length < 3 || length > enc.config().maxPositions()) {
            throw new IllegalArgumentException("max length " + length + " outside [3, " + enc.config().maxPositions()
                    + "] (max_position_embeddings)");
        }
        Files.createDirectories(dir);
        WeightsFile.writeWeights(dir, enc.weights());
        ObjectNode cfg = JsonFiles.JSON.createObjectNode();
        cfg.put("_name_or_path", base.nameOrPath());
        cfg.setAll(enc.config().toJsonObject());
        cfg.put(HubBase.HUB_ID_KEY, base.nameOrPath());
        JsonFiles.write(dir.resolve("config.json"), cfg);
        TokenizerFiles.write(dir, enc.tokenizerJson(), enc.tokenizer().source(), length);
        String origin = switch (enc.name()) {
            case "minilm", "bge-small" -> "the ONNX export in balora's Maven artifact (" + enc.tokenizer().source()
                    .replaceAll("^jar:file:.*/([^/]+\\.jar)!.*$", "$1") + ")";
            default -> "the folder " + enc.name();
        };
        AtomicFiles.writeString(dir.resolve(ModelCard.FILE), ModelCard.base(dir, base.nameOrPath(), origin, length,
                base.pooling(), base.normalize()));
        SentenceTransformerLayout.write(dir, enc.config().hidden(), base.pooling(), base.normalize(), null, length);
        return new HubBase(base.nameOrPath(), base.pooling(), base.normalize(), length);
    }
}
