package dev.balora.models;

import dev.balora.core.io.F32Tensor;
import dev.balora.core.io.FiniteValues;
import dev.balora.core.io.SafetensorsReader;
import dev.balora.core.nn.Module;
import dev.balora.core.tensor.Tensor;
import dev.balora.models.bert.BertConfig;
import dev.balora.models.bert.BertForSequenceClassification;
import dev.balora.models.bert.BertModel;
import dev.balora.models.bert.BertOptions;
import dev.balora.models.bert.PoolingMode;
import dev.balora.models.onnx.BertOnnxWeights;
import dev.balora.models.onnx.WeightTensor;
import dev.balora.models.tokenizer.TokenizerFormatException;
import dev.balora.models.tokenizer.TokenizerJsonReader;
import dev.balora.models.tokenizer.WordPieceTokenizer;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A pre-trained BERT-family encoder ready to use: its config, its weights by Hugging Face name and its tokenizer.
 * One call gives a working model:
 * <pre>{@code
 * PretrainedEncoder enc = PretrainedEncoder.load("minilm");       // from the Maven artifact, no files to handle
 * BertForSequenceClassification clf = enc.newClassifier(2, 42);   // pre-trained encoder + fresh head
 * }</pre>
 *
 * @param name      what was loaded ("minilm", "bge-small" or a directory)
 * @param config    the architecture
 * @param weights   encoder parameters by HF name ({@code embeddings.word_embeddings.weight} …), [out, in] linears
 * @param tokenizer the WordPiece tokenizer that goes with the weights
 * @param tokenizerJson the tokenizer.json bytes it was read from (copied next to exported models)
 */
public record PretrainedEncoder(String name, BertConfig config, Map<String, WeightTensor> weights, WordPieceTokenizer tokenizer,
                                byte[] tokenizerJson) {
    /**
     * @param nameOrDir "minilm" (all-MiniLM-L6-v2), "bge-small" (bge-small-en-v1.5) — both read from their Maven
     *                  artifacts' ONNX files — or a Hugging Face directory with config.json, model.safetensors and
     *                  tokenizer.json
     */
    public static PretrainedEncoder load(String nameOrDir) throws IOException {
        return switch (nameOrDir.toLowerCase(Locale.ROOT)) {
            case "minilm", "all-minilm-l6-v2" -> fromArtifact(ModelArtifacts.Model.ALL_MINILM_L6_V2, "minilm");
            case "bge-small", "bge-small-en-v1.5" -> fromArtifact(ModelArtifacts.Model.BGE_SMALL_EN_V15, "bge-small");
            default -> fromHfDirectory(Path.of(nameOrDir));
        };
    }

    private static PretrainedEncoder fromArtifact(ModelArtifacts.Model model, String name) throws IOException {
        ModelArtifacts art = ModelArtifacts.locate(model);
        BertOnnxWeights w = BertOnnxWeights.fromGraph(art.readGraph());
        byte[] json;
        String source;
        try (ModelArtifacts.SizedStream s = art.openTokenizer()) {
            json = s.stream().readAllBytes();
            source = s.source();
        }
        return new PretrainedEncoder(name, w.config(), w.tensors(), TokenizerJsonReader.parse(json, source), json);
    }

    /** Reads config.json + model.safetensors (+ tokenizer.json, or the MiniLM tokenizer when absent). */
    public static PretrainedEncoder fromHfDirectory(Path dir) throws IOException {
        Path cfgFile = dir.resolve("config.json");
        Path weightsFile = dir.resolve("model.safetensors");
        if (!Files.isDirectory(dir)) {
            throw new FileNotFoundException("model: '" + dir + "' is neither minilm, bge-small nor a directory");
        }
        if (!Files.exists(cfgFile) || !Files.exists(weightsFile)) {
            throw new FileNotFoundException("model directory " + dir + " needs config.json and model.safetensors (missing: "
                    + (Files.exists(cfgFile) ? "" : "config.json ") + (Files.exists(weightsFile) ? "" : "model.safetensors") + ")");
        }
        BertConfig cfg = BertConfig.readJson(cfgFile);
        Map<String, WeightTensor> weights = new LinkedHashMap<>();
        try (SafetensorsReader r = SafetensorsReader.open(weightsFile)) {
            for (String n : r.names()) {
                String key = n.startsWith("bert.") ? n.substring(5) : n;
                if (!key.startsWith("embeddings.") && !key.startsWith("encoder.") || key.equals(POSITION_IDS_BUFFER)) {
                    continue; // heads and poolers of other checkpoints are not part of the encoder
                }
                F32Tensor t = r.readF32Tensor(n);
                FiniteValues.require(weightsFile, n, t.values());
                int[] shape = new int[t.shape().length];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = Math.toIntExact(t.shape()[i]);
                }
                weights.put(key, new WeightTensor(shape, t.values()));
            }
        }
        List<String> problems = differences(encoderShapes(cfg), weights);
        if (!problems.isEmpty()) {
            throw new WeightsFormatException(weightsFile.toString(), cfgFile.toString(), problems);
        }
        Path tokFile = dir.resolve("tokenizer.json");
        byte[] json;
        String source;
        if (Files.exists(tokFile)) {
            json = Files.readAllBytes(tokFile);
            source = tokFile.toString();
        } else {
            // A bare BERT checkpoint without its tokenizer: fall back to MiniLM's (the uncased BERT vocabulary).
            try (ModelArtifacts.SizedStream s = ModelArtifacts.locate(ModelArtifacts.Model.ALL_MINILM_L6_V2).openTokenizer()) {
                json = s.stream().readAllBytes();
                source = s.source();
            }
        }
        WordPieceTokenizer tokenizer = TokenizerJsonReader.parse(json, source);
        if (tokenizer.vocabSize() > cfg.vocabSize()) {
            int last = tokenizer.vocabSize() - 1;
            throw new TokenizerFormatException(source, "added_tokens", "token \"" + tokenizer.tokens(new int[] {last})[0]
                    + "\" has id " + last + ", outside the model's vocabulary: " + cfgFile + " has vocab_size "
                    + cfg.vocabSize() + " (ids 0.." + (cfg.vocabSize() - 1) + ")");
        }
        return new PretrainedEncoder(dir.toString(), cfg, weights, tokenizer, json);
    }

    /** A buffer (not a parameter) that older Hugging Face BERT checkpoints store next to the embeddings. */
    private static final String POSITION_IDS_BUFFER = "embeddings.position_ids";

    /**
     * @return the encoder with the pre-trained weights loaded (dropout probabilities per {@code options})
     * @throws WeightsFormatException when a weight is missing or unexpected, or its shape differs from the config's
     */
    public BertModel newModel(BertOptions options) {
        BertModel m = new BertModel(config, options);
        loadStrictly(m);
        return m;
    }

    /**
     * The names and shapes of a BERT encoder's parameters (no pooler) as {@link BertModel} builds them from
     * {@code cfg}, without building it: loading checks a file against them before allocating a model.
     *
     * @return Hugging Face name → shape, in canonical order
     */
    public static Map<String, int[]> encoderShapes(BertConfig cfg) {
        int h = cfg.hidden();
        Map<String, int[]> out = new LinkedHashMap<>();
        for (String n : BertOnnxWeights.parameterNames(cfg.layers())) {
            int[] shape;
            if (n.equals("embeddings.word_embeddings.weight")) {
                shape = new int[] {cfg.vocabSize(), h};
            } else if (n.equals("embeddings.position_embeddings.weight")) {
                shape = new int[] {cfg.maxPositions(), h};
            } else if (n.equals("embeddings.token_type_embeddings.weight")) {
                shape = new int[] {cfg.typeVocab(), h};
            } else if (n.endsWith("intermediate.dense.weight")) {
                shape = new int[] {cfg.intermediate(), h};
            } else if (n.endsWith("intermediate.dense.bias")) {
                shape = new int[] {cfg.intermediate()};
            } else if (n.endsWith(".output.dense.weight") && !n.contains("attention")) {
                shape = new int[] {h, cfg.intermediate()};
            } else if (n.endsWith(".weight") && !n.contains("LayerNorm")) {
                shape = new int[] {h, h}; // query, key, value, attention.output.dense
            } else {
                shape = new int[] {h}; // biases of [h]-wide outputs, LayerNorm weights and biases
            }
            out.put(n, shape);
        }
        return out;
    }

    /** @return every missing, unexpected or misshapen tensor of {@code actual} against {@code expected} */
    private static List<String> differences(Map<String, int[]> expected, Map<String, WeightTensor> actual) {
        List<String> problems = new ArrayList<>();
        expected.forEach((k, shape) -> {
            if (!actual.containsKey(k)) {
                problems.add("missing " + k + " " + Arrays.toString(shape));
            }
        });
        actual.forEach((k, w) -> {
            int[] want = expected.get(k);
            if (want == null) {
                problems.add("unexpected " + k + " " + Arrays.toString(w.shape()));
            } else if (!Arrays.equals(want, w.shape())) {
                problems.add(k + ": shape " + Arrays.toString(w.shape()) + ", the config gives " + Arrays.toString(want));
            }
        });
        return problems;
    }

    /** Every parameter of the encoder from the weights, none left over, shapes equal (one error listing all). */
    private void loadStrictly(BertModel m) {
        Map<String, int[]> own = new LinkedHashMap<>();
        m.namedParameters().forEach((k, t) -> own.put(k, t.shape()));
        List<String> problems = differences(own, weights);
        if (!problems.isEmpty()) {
            Path dir = Path.of(name);
            boolean isDir = Files.isDirectory(dir);
            throw new WeightsFormatException(isDir ? dir.resolve("model.safetensors").toString() : name,
                    isDir ? dir.resolve("config.json").toString() : "the model's config", problems);
        }
        m.loadStateDict(tensors(""), true);
    }

    /**
     * @return a sequence classifier: the pre-trained encoder plus a freshly initialised head over {@code numLabels}
     *     classes (mean pooling), seeded
     */
    public BertForSequenceClassification newClassifier(int numLabels, long seed, BertOptions options) {
        BertForSequenceClassification c = new BertForSequenceClassification(config, numLabels, PoolingMode.MEAN,
                options.withSeed(seed));
        loadStrictly(c.bert());
        return c;
    }

    private Map<String, Tensor> tensors(String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        weights.forEach((k, v) -> out.put(prefix + k, Tensor.of(v.data(), v.shape())));
        return out;
    }
}
