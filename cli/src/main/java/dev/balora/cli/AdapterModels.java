package dev.balora.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.balora.core.lora.peft.LoadedAdapter;
import dev.balora.core.lora.peft.PeftAdapter;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.bert.BertForSequenceClassification;
import dev.balora.models.bert.BertOptions;
import dev.balora.models.data.LabelVocabulary;
import dev.balora.models.hf.AdapterFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Rebuilds a fine-tuned classifier from a base encoder and an adapter directory written by {@code balora finetune}. */
final class AdapterModels {
    private AdapterModels() {}

    record Loaded(BertForSequenceClassification model, LabelVocabulary labels, LoadedAdapter adapter) {}

    /** @return the label names stored with the adapter (balora_config.json settings.labels) */
    static LabelVocabulary labels(Path adapterDir) throws IOException {
        Path f = adapterDir.resolve(PeftAdapter.BALORA_FILE);
        if (!Files.isDirectory(adapterDir)) {
            throw new java.nio.file.NoSuchFileException(adapterDir.toString());
        }
        if (!Files.exists(f)) {
            throw new UserInputException(adapterDir + " has no " + PeftAdapter.BALORA_FILE
                    + ": the label names of the classification head are unknown (was it written by balora finetune?)");
        }
        JsonNode labels;
        try {
            labels = new ObjectMapper().readTree(f.toFile()).path("settings").path("labels");
        } catch (IOException e) {
            throw new UserInputException(f + ": not valid JSON: " + e.getMessage());
        }
        if (!labels.isArray() || labels.isEmpty()) {
            throw new UserInputException(f + ": field settings.labels: expected a non-empty list of label names");
        }
        List<String> names = new ArrayList<>();
        labels.forEach(n -> names.add(n.asText()));
        return LabelVocabulary.of(names);
    }

    static Loaded load(PretrainedEncoder enc, Path adapterDir) throws IOException {
        LabelVocabulary labels = labels(adapterDir);
        BertForSequenceClassification model = enc.newClassifier(labels.size(), 0, BertOptions.defaults());
        LoadedAdapter a = AdapterFolder.load(adapterDir, model);
        model.eval();
        return new Loaded(model, labels, a);
    }
}
