package dev.balora.models.hf;

import dev.balora.models.bert.PoolingMode;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code README.md} model card of each folder balora writes: YAML metadata the Hub reads, what the folder is,
 * and the exact Python lines that load it and give balora's numbers — and the obvious lines that do not.
 */
final class ModelCard {
    /** File name of the model card. */
    static final String FILE = "README.md";

    private ModelCard() {}

    private static String header(String baseId, String library, String pipeline, List<String> tags) {
        StringBuilder sb = new StringBuilder("---\n");
        if (baseId != null && !baseId.startsWith("/")) {
            sb.append("base_model: ").append(baseId).append('\n');
        }
        sb.append("library_name: ").append(library).append('\n');
        sb.append("pipeline_tag: ").append(pipeline).append('\n');
        sb.append("tags:\n");
        tags.forEach(t -> sb.append("- ").append(t).append('\n'));
        return sb.append("---\n\n").toString();
    }

    private static String py(Path dir) {
        return "\"" + dir.toAbsolutePath().normalize().toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String labelList(List<String> labels) {
        return labels.stream().map(l -> "`" + l + "`").collect(Collectors.joining(", "));
    }

    private static String pooling(PoolingMode p) {
        return p == PoolingMode.MEAN ? "mean pooling over the attention mask" : "the [CLS] token's state";
    }

    /** Why the obvious transformers classes do not give this classifier's predictions. */
    private static final String WHY_NOT = "BERT's own classification head is a `tanh` layer over the [CLS] token, "
            + "which this classifier never used; no transformers class has a linear head over mean pooling, which is "
            + "why the head is a sentence-transformers module.";

    private static final String NOT_THIS_ADAPTER = "## Not like this\n"
            + "`AutoPeftModelForSequenceClassification` refuses this adapter (its task type is FEATURE_EXTRACTION); "
            + "`AutoModelForSequenceClassification` with the adapter loaded on it, or `pipeline(\"text-classification\")`, "
            + "would not give this model's predictions. " + WHY_NOT + "\n";

    private static final String NOT_THIS_MERGED = "## Not like this\n"
            + "`AutoModelForSequenceClassification` and `pipeline(\"text-classification\")` load this folder with an "
            + "untrained pooler and classifier (transformers initialises them at random and lists them in its load "
            + "report): their predictions are not this model's. " + WHY_NOT + "\n";

    /** The card of a LoRA adapter folder ({@link AdapterFolder}). */
    static String adapter(Path dir, String baseId, String method, int rank, List<String> labels, int maxLength,
                          PoolingMode pooling, boolean plainLora) {
        String p = py(dir);
        return header(baseId, "sentence-transformers", "text-classification",
                List.of("balora", "peft", "lora", "sentence-transformers", "text-classification"))
                + "# " + method + " text classifier on " + baseId + " (LoRA adapter)\n\n"
                + "A LoRA adapter (PEFT, rank " + rank + ", on the encoder) and a linear classification head over "
                + pooling(pooling) + ", fine-tuned by balora (`--method " + method + "`). Outputs, in order: "
                + labelList(labels) + ". The base weights are not in this folder: they load from `" + baseId + "`"
                + (plainLora ? " (the original weights; PiSSA-initialised runs are saved converted to plain LoRA of "
                + "twice the rank, exact on them)" : "") + ". Texts are truncated to " + maxLength
                + " tokens, as in training.\n\n"
                + "## balora's probabilities (the `p_<label>` columns of predictions.tsv)\n"
                + "```python\n"
                + "from sentence_transformers import SentenceTransformer  # needs peft installed too\n"
                + "probs = SentenceTransformer(" + p + ").encode(texts, convert_to_tensor=True).softmax(-1)\n"
                + "```\n"
                + "`encode` runs this folder's modules — the base encoder with the adapter, `1_Pooling` (" + pooling(pooling)
                + "), `2_Dense` (the head, identity activation) — and returns the head's logits; `softmax(-1)` gives the "
                + "probabilities, `argmax(-1)` the predicted label's index.\n\n"
                + "## The fine-tuned encoder alone\n"
                + "```python\n"
                + "from peft import AutoPeftModelForFeatureExtraction\n"
                + "encoder = AutoPeftModelForFeatureExtraction.from_pretrained(" + p + ")  # BertModel + this LoRA\n"
                + "```\n"
                + "(`transformers.AutoModel.from_pretrained` on this folder gives the same.) The head reads its "
                + "`last_hidden_state` through " + pooling(pooling) + ".\n\n"
                + NOT_THIS_ADAPTER + "\n"
                + "## Files\n"
                + "`adapter_config.json` + `adapter_model.safetensors` (PEFT, `task_type: FEATURE_EXTRACTION`), "
                + "`modules.json`, `sentence_bert_config.json`, `1_Pooling/`, `2_Dense/` (sentence-transformers), "
                + "`tokenizer.json`, `tokenizer_config.json` (`model_max_length: " + maxLength + "`), `vocab.txt`, "
                + "`balora_config.json` (balora's run settings; `balora eval --adapter` reads it).\n";
    }

    /** The card of a merged model folder ({@link MergedFolder}). */
    static String merged(Path dir, String baseId, List<String> labels, int maxLength, PoolingMode pooling) {
        String p = py(dir);
        return header(baseId, "sentence-transformers", "text-classification",
                List.of("balora", "sentence-transformers", "text-classification"))
                + "# Text classifier fine-tuned from " + baseId + " (adapter merged)\n\n"
                + "balora's fine-tuned classifier with its LoRA adapter folded into the weights: a BERT encoder, "
                + pooling(pooling) + ", and a linear head. Outputs, in order: " + labelList(labels)
                + " (also `id2label` in config.json and `labels.txt`). Texts are truncated to " + maxLength
                + " tokens, as in training.\n\n"
                + "## balora's probabilities (the `p_<label>` columns of predictions.tsv)\n"
                + "```python\n"
                + "from sentence_transformers import SentenceTransformer\n"
                + "probs = SentenceTransformer(" + p + ").encode(texts, convert_to_tensor=True).softmax(-1)\n"
                + "```\n"
                + "`encode` returns the head's logits (`2_Dense`, identity activation); `softmax(-1)` gives the "
                + "probabilities, `argmax(-1)` the predicted label's index.\n\n"
                + "## The encoder alone\n"
                + "```python\n"
                + "from transformers import AutoModel\n"
                + "encoder = AutoModel.from_pretrained(" + p + ")  # BertModel; the head reads last_hidden_state\n"
                + "```\n"
                + "The folder holds no pooler weights (nothing here uses BERT's pooler); transformers initialises one and "
                + "warns.\n\n"
                + NOT_THIS_MERGED + "\n"
                + "## Files\n"
                + "`config.json` + `model.safetensors` (the encoder, transformers' `BertModel`), `modules.json`, "
                + "`sentence_bert_config.json`, `1_Pooling/`, `2_Dense/` (sentence-transformers), `tokenizer.json`, "
                + "`tokenizer_config.json` (`model_max_length: " + maxLength + "`), `vocab.txt`, `labels.txt`. "
                + "`balora finetune --model` reads the folder as a base encoder.\n";
    }

    /** The card of an exported base model ({@link BaseFolder}). */
    static String base(Path dir, String baseId, String origin, int maxLength, PoolingMode pooling, boolean normalize) {
        String p = py(dir);
        return header(baseId, "sentence-transformers", "sentence-similarity",
                List.of("balora", "sentence-transformers", "feature-extraction"))
                + "# " + baseId + ", as balora reads it\n\n"
                + "The pre-trained encoder balora fine-tunes, written as Hugging Face files by `balora export --base` "
                + "from " + origin + ". Its sentence embedding is " + pooling(pooling)
                + (normalize ? ", L2-normalised" : "") + "; texts are truncated to " + maxLength + " tokens.\n\n"
                + "## Sentence embeddings\n"
                + "```python\n"
                + "from sentence_transformers import SentenceTransformer\n"
                + "embeddings = SentenceTransformer(" + p + ").encode(texts)\n"
                + "```\n\n"
                + "## The encoder, and balora's adapters on it\n"
                + "```python\n"
                + "from transformers import AutoModel\n"
                + "encoder = AutoModel.from_pretrained(" + p + ")  # BertModel\n"
                + "```\n"
                + "The folder holds no pooler weights (the sentence embedding does not use BERT's pooler); transformers "
                + "initialises one and warns. balora's adapters name `" + baseId + "` as their base; to put one on this "
                + "folder instead: `peft.PeftModel.from_pretrained(AutoModel.from_pretrained(" + p + "), ADAPTER_DIR)`.\n\n"
                + "## Files\n"
                + "`config.json` + `model.safetensors` (transformers' `BertModel`), `modules.json`, "
                + "`sentence_bert_config.json`, `1_Pooling/`" + (normalize ? ", `2_Normalize/`" : "")
                + " (sentence-transformers), `tokenizer.json`, `tokenizer_config.json` (`model_max_length: " + maxLength
                + "`), `vocab.txt`.\n";
    }
}
