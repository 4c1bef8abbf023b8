package dev.balora.models;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.core.io.F32Tensor;
import dev.balora.core.io.SafetensorsFormatException;
import dev.balora.core.io.SafetensorsReader;
import dev.balora.core.io.SafetensorsWriter;
import dev.balora.core.tensor.Tensor;
import dev.balora.models.bert.BertConfig;
import dev.balora.models.bert.BertForSequenceClassification;
import dev.balora.models.bert.BertModel;
import dev.balora.models.bert.BertOptions;
import dev.balora.models.data.LabelVocabulary;
import dev.balora.models.data.TextClassificationDataset;
import dev.balora.models.finetune.ClassifierEvaluation;
import dev.balora.models.finetune.EncodedDataset;
import dev.balora.models.finetune.NonFiniteOutputException;
import dev.balora.models.tokenizer.TokenizerFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, part 3: a Hugging Face BERT directory is validated before it is used. Each hand-made case failed before
 * (was accepted, or crashed with an exception naming no file); the fuzz loop checks that random damage to the
 * weights file ends in a clean load with finite weights or one format error naming the file.
 */
class WeightsValidationTest {
    /** Two layers, hidden 8; MiniLM's vocabulary size so that its tokenizer (used when tokenizer.json is absent) fits. */
    static final BertConfig TINY = new BertConfig(30522, 8, 2, 2, 16, 64, 2, 1e-12, "gelu");

    @TempDir
    Path tmp;

    /** A valid directory: config.json and model.safetensors of a seeded random tiny encoder (no tokenizer.json). */
    static Path tinyBert(Path dir, BertConfig cfg) throws IOException {
        HfCheckpoint.save(dir, cfg, new BertModel(cfg, BertOptions.defaults().withSeed(3)), null);
        return dir;
    }

    private static Map<String, F32Tensor> read(Path file) throws IOException {
        Map<String, F32Tensor> out = new LinkedHashMap<>();
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            for (String n : r.names()) {
                out.put(n, r.readF32Tensor(n));
            }
        }
        return out;
    }

    @Test
    void aValidDirectoryLoadsStrictly() throws IOException {
        PretrainedEncoder enc = PretrainedEncoder.load(tinyBert(tmp.resolve("ok"), TINY).toString());
        assertEquals(TINY, enc.config());
        assertEquals(enc.weights().keySet(), enc.newModel(BertOptions.defaults()).namedParameters().keySet());
    }

    /** The shapes loading checks against are the ones the model builds (guards the duplication of the tree). */
    @Test
    void encoderShapesAreTheModelsParameterShapes() {
        for (BertConfig cfg : List.of(TINY, new BertConfig(100, 12, 3, 3, 20, 16, 1, 1e-12, "relu"))) {
            Map<String, int[]> want = new LinkedHashMap<>();
            new BertModel(cfg).namedParameters().forEach((k, t) -> want.put(k, t.shape()));
            Map<String, int[]> got = PretrainedEncoder.encoderShapes(cfg);
            assertEquals(want.keySet(), got.keySet());
            want.forEach((k, shape) -> assertArrayEquals(shape, got.get(k), k));
        }
    }

    @Test
    void nanOrInfinityInAWeightIsRefusedNamingFileAndTensor() throws IOException {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            Path dir = tinyBert(tmp.resolve("bad" + bad), TINY);
            Path file = dir.resolve("model.safetensors");
            Map<String, F32Tensor> t = read(file);
            Arrays.fill(t.get("encoder.layer.1.attention.self.query.weight").values(), bad);
            SafetensorsWriter.write(file, t);
            SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> PretrainedEncoder.load(dir.toString()));
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("'encoder.layer.1.attention.self.query.weight'")
                    && e.getMessage().contains("finite"), e.getMessage());
        }
    }

    /** Issue 14: three bytes inserted into model.safetensors were accepted and shifted every later tensor. */
    @Test
    void bytesInsertedIntoTheWeightsFileAreRefused() throws IOException {
        Path dir = tinyBert(tmp.resolve("inserted"), TINY);
        Path file = dir.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(file);
        int at = b.length / 2;
        byte[] damaged = new byte[b.length + 3];
        System.arraycopy(b, 0, damaged, 0, at);
        System.arraycopy(b, at, damaged, at + 3, b.length - at);
        Files.write(file, damaged);
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> PretrainedEncoder.load(dir.toString()));
        assertTrue(e.getMessage().contains("data buffer"), e.getMessage());
    }

    /** Issue 14: a renamed tensor was ignored and the model ran on its random initial weights. */
    @Test
    void aRenamedTensorIsReportedAsMissingAndUnexpected() throws IOException {
        Path dir = tinyBert(tmp.resolve("renamed"), TINY);
        Path file = dir.resolve("model.safetensors");
        Map<String, F32Tensor> t = read(file);
        t.put("encoder.layer.0.output.dense.weightx", t.remove("encoder.layer.0.output.dense.weight"));
        SafetensorsWriter.write(file, t);
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> PretrainedEncoder.load(dir.toString()));
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString()) && m.contains("config.json"), m);
        assertTrue(m.contains("missing encoder.layer.0.output.dense.weight [8, 16]"), m);
        assertTrue(m.contains("unexpected encoder.layer.0.output.dense.weightx"), m);
    }

    /** Issue 14: num_hidden_layers 3 on 6-layer weights silently dropped layers 3–5. */
    @Test
    void fewerLayersInTheConfigThanInTheWeightsListsTheExtraLayers() throws IOException {
        Path dir = tinyBert(tmp.resolve("layers"), TINY);
        BertConfig one = new BertConfig(30522, 8, 1, 2, 16, 64, 2, 1e-12, "gelu");
        one.writeJson(dir.resolve("config.json"));
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> PretrainedEncoder.load(dir.toString()));
        assertTrue(e.getMessage().contains("16 differences"), e.getMessage()); // the 16 tensors of layer 1
        assertTrue(e.getMessage().contains("unexpected encoder.layer.1.attention.self.query.weight"), e.getMessage());
        BertConfig wider = new BertConfig(30522, 8, 2, 2, 32, 64, 2, 1e-12, "gelu");
        wider.writeJson(dir.resolve("config.json"));
        WeightsFormatException shapes = assertThrows(WeightsFormatException.class, () -> PretrainedEncoder.load(dir.toString()));
        assertTrue(shapes.getMessage().contains("encoder.layer.0.intermediate.dense.weight: shape [16, 8], the config gives [32, 8]"),
                shapes.getMessage());
    }

    @Test
    void aTokenizerWithIdsBeyondTheModelsVocabularyIsRefused() throws IOException {
        Path dir = tinyBert(tmp.resolve("vocab"), new BertConfig(1000, 8, 1, 2, 16, 64, 2, 1e-12, "gelu"));
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> PretrainedEncoder.load(dir.toString()));
        assertTrue(e.getMessage().contains("vocab_size 1000") && e.getMessage().contains("config.json"), e.getMessage());
    }

    /** Issue 14: eval reported "accuracy 0.6750" while every probability was NaN. */
    @Test
    void evaluationRefusesToComputeMetricsFromNaN() throws IOException {
        PretrainedEncoder enc = PretrainedEncoder.load(tinyBert(tmp.resolve("nan-eval"), TINY).toString());
        BertForSequenceClassification clf = enc.newClassifier(2, 1, BertOptions.defaults());
        Tensor w = clf.namedParameters().get("classifier.weight");
        float[] nan = new float[(int) w.numel()];
        Arrays.fill(nan, Float.NaN);
        clf.loadStateDict(Map.of("classifier.weight", Tensor.of(nan, w.shape())), false);
        TextClassificationDataset data = new TextClassificationDataset("two", List.of(
                new TextClassificationDataset.Example("good tea", 0), new TextClassificationDataset.Example("bad tea", 1)),
                LabelVocabulary.of("a", "b"));
        EncodedDataset encoded = new EncodedDataset(data, enc.tokenizer(), 16);
        NonFiniteOutputException e = assertThrows(NonFiniteOutputException.class,
                () -> ClassifierEvaluation.predict(clf, encoded, 8));
        assertTrue(e.getMessage().contains("example 0"), e.getMessage());
    }

    /**
     * Random damage to model.safetensors (bit flips anywhere, inserted, deleted or overwritten bytes): a load either
     * succeeds with every weight finite and the strict model load passing, or fails with a format error that names
     * the file. Nothing else (no other exception, no NaN weights).
     */
    @Test
    void randomDamageToTheWeightsEndsInACleanLoadOrAFormatError() throws IOException {
        Path dir = tinyBert(tmp.resolve("fuzz"), TINY);
        Path file = dir.resolve("model.safetensors");
        byte[] valid = Files.readAllBytes(file);
        int headerEnd = 8 + (int) java.nio.ByteBuffer.wrap(valid, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        Random r = new Random(14);
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < 40; i++) {
            byte[] b = valid.clone();
            int kind = r.nextInt(4);
            switch (kind) {
                case 0 -> { // flips in the header (names, shapes, offsets)
                    for (int f = 0; f < 1 + r.nextInt(3); f++) {
                        int at = 8 + r.nextInt(headerEnd - 8);
                        b[at] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                case 1 -> { // one bit of a float's high bytes: sometimes all exponent bits set (NaN or infinite)
                    int at = headerEnd + 4 * r.nextInt((b.length - headerEnd) / 4) + 2 + r.nextInt(2);
                    b[at] ^= (byte) (1 << r.nextInt(8));
                    if (r.nextInt(3) == 0) {
                        b[at | 3] = (byte) (b[at | 3] | 0x7f);
                        b[(at | 3) - 1] = (byte) (b[(at | 3) - 1] | 0x80);
                    }
                }
                case 2 -> { // bytes inserted
                    int at = 8 + r.nextInt(b.length - 8);
                    byte[] c = new byte[b.length + 1 + r.nextInt(4)];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at, c, c.length - (b.length - at), b.length - at);
                    b = c;
                }
                default -> b = Arrays.copyOf(b, b.length - 1 - r.nextInt(8)); // truncated
            }
            Files.write(file, b);
            try {
                PretrainedEncoder enc = PretrainedEncoder.load(dir.toString()); // checks names and shapes too
                enc.weights().forEach((k, w) -> {
                    for (float v : w.data()) {
                        assertTrue(Float.isFinite(v), "accepted a non-finite value in " + k);
                    }
                });
                enc.newModel(BertOptions.defaults());
                accepted++;
            } catch (SafetensorsFormatException | WeightsFormatException e) {
                assertTrue(e.getMessage().startsWith(file.toString()), "case " + i + ": " + e.getMessage());
                rejected++;
            }
        }
        assertTrue(rejected > 0 && accepted > 0, "both outcomes: accepted " + accepted + ", rejected " + rejected);
    }
}
