package dev.balora.models.hf;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.balora.core.io.SafetensorsReader;
import dev.balora.core.lora.peft.PeftAdapter;
import dev.balora.core.tensor.Tensor;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.bert.BertForSequenceClassification;
import dev.balora.models.bert.BertOptions;
import dev.balora.models.bert.PoolingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Hugging Face folders balora writes: every field the standard loaders read (checked here without Python; the
 * loaders themselves run in tools/check_hf_interop.py, recorded in docs/interop.md), and balora reading them back to
 * the same logits.
 */
class HfFoldersTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_LENGTH = 24;

    static JsonNode json(Path f) throws Exception {
        return JSON.readTree(f.toFile());
    }

    static Set<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).collect(Collectors.toSet());
        }
    }

    @Test
    void adapterFolderIsAPeftEncoderAdapterInsideASentenceTransformersFolder(@TempDir Path tmp) throws Exception {
        PretrainedEncoder enc = TinyEncoder.make("minilm");
        BertForSequenceClassification model = TinyEncoder.adapted(enc, TinyEncoder.pissa());
        Path dir = tmp.resolve("adapter");
        AdapterFolder.write(dir, model, TinyEncoder.pissa(), enc, TinyEncoder.LABELS, MAX_LENGTH, Map.of("method", "balora"), true);

        assertEquals(Set.of("adapter_config.json", "adapter_model.safetensors", "balora_config.json", "README.md",
                "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling/config.json",
                "2_Dense/config.json", "2_Dense/model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "special_tokens_map.json", "vocab.txt"), files(dir), "exactly these files, no temporary ones");

        JsonNode peft = json(dir.resolve("adapter_config.json"));
        assertEquals("FEATURE_EXTRACTION", peft.get("task_type").asText(), "AutoPeftModelForFeatureExtraction's task");
        assertEquals(HubBase.MINILM_ID, peft.get("base_model_name_or_path").asText(), "the Hub id, not balora's name");
        assertTrue(peft.get("modules_to_save").isNull(), "the head is 2_Dense, not part of the PEFT model");
        assertEquals(4, peft.get("r").asInt(), "PiSSA saved converted: rank 2r");
        assertTrue(peft.get("init_lora_weights").asBoolean());
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve("adapter_model.safetensors"))) {
            assertTrue(r.contains("base_model.model.encoder.layer.0.attention.self.query.lora_A.weight"), r.names().toString());
            assertTrue(r.names().stream().allMatch(n -> n.startsWith("base_model.model.encoder.layer.")
                    && (n.endsWith(".lora_A.weight") || n.endsWith(".lora_B.weight"))), "keys relative to BertModel: " + r.names());
            assertEquals(2 * 6 * 2, r.names().size(), "6 adapted linears per layer, 2 layers, A and B");
        }

        JsonNode modules = json(dir.resolve("modules.json"));
        assertEquals(List.of("sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
                "sentence_transformers.models.Dense"), modules.findValuesAsText("type"));
        assertEquals(List.of("", "1_Pooling", "2_Dense"), modules.findValuesAsText("path"));
        JsonNode pooling = json(dir.resolve("1_Pooling/config.json"));
        assertEquals(8, pooling.get("word_embedding_dimension").asInt());
        assertTrue(pooling.get("pooling_mode_mean_tokens").asBoolean(), "balora's classifier pools by the mean");
        assertFalse(pooling.get("pooling_mode_cls_token").asBoolean());
        JsonNode dense = json(dir.resolve("2_Dense/config.json"));
        assertEquals(8, dense.get("in_features").asInt());
        assertEquals(3, dense.get("out_features").asInt());
        assertEquals("torch.nn.modules.linear.Identity", dense.get("activation_function").asText(), "a linear head");
        Map<String, Tensor> params = model.namedParameters();
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve("2_Dense/model.safetensors"))) {
            assertEquals(Set.of("linear.weight", "linear.bias"), r.names());
            assertArrayEquals(params.get("classifier.weight").toFloatArray(), r.readFloats("linear.weight"));
            assertArrayEquals(params.get("classifier.bias").toFloatArray(), r.readFloats("linear.bias"));
        }
        assertEquals(MAX_LENGTH, json(dir.resolve("sentence_bert_config.json")).get("max_seq_length").asInt());

        JsonNode settings = json(dir.resolve("balora_config.json")).get("settings");
        assertEquals("bert", settings.get("adapter_root").asText());
        assertEquals("mean", settings.get("pooling").asText());
        assertEquals(MAX_LENGTH, settings.get("max_length").asInt());
        assertEquals(TinyEncoder.LABELS, List.of(JSON.convertValue(settings.get("labels"), String[].class)));
        assertEquals("balora", settings.get("method").asText());

        String card = Files.readString(dir.resolve("README.md"));
        String path = dir.toAbsolutePath().normalize().toString();
        assertTrue(card.contains("SentenceTransformer(\"" + path + "\").encode(texts, convert_to_tensor=True).softmax(-1)"), card);
        assertTrue(card.contains("AutoPeftModelForFeatureExtraction.from_pretrained(\"" + path + "\")"), card);
        assertTrue(card.contains("base_model: " + HubBase.MINILM_ID), card);
        assertTrue(card.contains("`great`, `other`, `meh`"), card);
        assertTrue(card.contains("`AutoPeftModelForSequenceClassification` refuses this adapter"), card);
    }

    @Test
    void tokenizerFilesTruncateAtTheRunsLengthAndPadNothing(@TempDir Path tmp) throws Exception {
        PretrainedEncoder enc = TinyEncoder.make("minilm");
        TokenizerFiles.write(Files.createDirectories(tmp), enc.tokenizerJson(), enc.tokenizer().source(), MAX_LENGTH);
        JsonNode cfg = json(tmp.resolve("tokenizer_config.json"));
        assertEquals(MAX_LENGTH, cfg.get("model_max_length").asInt(), "so truncation=True truncates as balora did");
        assertEquals("BertTokenizer", cfg.get("tokenizer_class").asText());
        assertTrue(cfg.get("do_lower_case").asBoolean());
        for (String[] t : new String[][] {{"cls_token", "[CLS]"}, {"sep_token", "[SEP]"}, {"pad_token", "[PAD]"},
                {"unk_token", "[UNK]"}, {"mask_token", "[MASK]"}}) {
            assertEquals(t[1], cfg.get(t[0]).asText());
            assertEquals(t[1], json(tmp.resolve("special_tokens_map.json")).get(t[0]).asText());
        }
        JsonNode tok = json(tmp.resolve("tokenizer.json"));
        assertTrue(tok.get("padding").isNull(), "upstream's fixed padding to 128 is gone");
        assertEquals(MAX_LENGTH, tok.get("truncation").get("max_length").asInt());
        assertEquals("LongestFirst", tok.get("truncation").get("strategy").asText());
        JsonNode upstream = JSON.readTree(enc.tokenizerJson());
        assertEquals(128, upstream.get("truncation").get("max_length").asInt(), "the artifact's own value (what changed)");
        assertEquals(upstream.get("model"), tok.get("model"), "vocabulary and WordPiece settings unchanged");
        assertEquals(upstream.get("normalizer"), tok.get("normalizer"));
        assertEquals(upstream.get("post_processor"), tok.get("post_processor"));
        List<String> vocab = Files.readAllLines(tmp.resolve("vocab.txt"));
        assertEquals(30522, vocab.size());
        assertEquals("[PAD]", vocab.get(0));
        assertEquals("[CLS]", vocab.get(101));
        // balora reads the rewritten file to the same ids as the original
        PretrainedEncoder again = new PretrainedEncoder("x", enc.config(), enc.weights(),
                dev.balora.models.tokenizer.TokenizerJsonReader.parse(Files.readAllBytes(tmp.resolve("tokenizer.json")), "t"),
                Files.readAllBytes(tmp.resolve("tokenizer.json")));
        for (String text : TinyEncoder.TEXTS) {
            assertArrayEquals(enc.tokenizer().encode(text, MAX_LENGTH).ids(), again.tokenizer().encode(text, MAX_LENGTH).ids());
        }
    }

    @Test
    void vocabTxtIsSkippedWhenIdsHaveGaps() throws Exception {
        assertNull(TokenizerFiles.vocabTxt(JSON.readTree("{\"a\": 0, \"b\": 2}")));
        assertNull(TokenizerFiles.vocabTxt(JSON.readTree("{\"a\": 0, \"b\": 0}")));
        assertNull(TokenizerFiles.vocabTxt(JSON.readTree("{\"a\\nb\": 0}")));
        assertEquals("b\na\n", TokenizerFiles.vocabTxt(JSON.readTree("{\"a\": 1, \"b\": 0}")));
    }

    @Test
    void adapterFolderLoadsBackToTheSameLogitsForEachMethod(@TempDir Path tmp) throws Exception {
        PretrainedEncoder enc = TinyEncoder.make("minilm");
        // PiSSA converted to plain LoRA (what finetune writes for pissa/balora), plain LoRA as it is, and converted.
        record Case(dev.balora.core.lora.LoraConfig cfg, boolean plain) {}
        for (Case c : List.of(new Case(TinyEncoder.pissa(), true), new Case(TinyEncoder.kaiming(), false),
                new Case(TinyEncoder.kaiming(), true))) {
            BertForSequenceClassification model = TinyEncoder.adapted(enc, c.cfg());
            float[] expected = TinyEncoder.logits(model, enc, MAX_LENGTH);
            Path dir = tmp.resolve(c.cfg().init().peftName() + "-" + c.plain());
            AdapterFolder.write(dir, model, c.cfg(), enc, TinyEncoder.LABELS, MAX_LENGTH, Map.of(), c.plain());
            BertForSequenceClassification fresh = enc.newClassifier(3, 77, BertOptions.defaults());
            AdapterFolder.load(dir, fresh);
            fresh.eval();
            assertArrayEquals(expected, TinyEncoder.logits(fresh, enc, MAX_LENGTH), 2e-5f, dir.toString());
        }
    }

    @Test
    void adaptersOfTheEarlierLayoutStillLoad(@TempDir Path tmp) throws Exception {
        PretrainedEncoder enc = TinyEncoder.make("minilm");
        BertForSequenceClassification model = TinyEncoder.adapted(enc, TinyEncoder.pissa());
        float[] expected = TinyEncoder.logits(model, enc, MAX_LENGTH);
        Path dir = tmp.resolve("old");
        // What balora finetune wrote before: the classifier as PEFT's model, the head as modules_to_save.
        PeftAdapter.saveConverted(dir, model, TinyEncoder.pissa(), "minilm", Map.of("labels", TinyEncoder.LABELS));
        BertForSequenceClassification fresh = enc.newClassifier(3, 77, BertOptions.defaults());
        AdapterFolder.load(dir, fresh);
        fresh.eval();
        assertArrayEquals(expected, TinyEncoder.logits(fresh, enc, MAX_LENGTH), 2e-5f);
    }

    @Test
    void aBadHeadIsOneErrorNamingFileAndFieldAndTheModelIsUnchanged(@TempDir Path tmp) throws Exception {
        PretrainedEncoder enc = TinyEncoder.make("minilm");
        BertForSequenceClassification model = TinyEncoder.adapted(enc, TinyEncoder.kaiming());
        Path dir = tmp.resolve("a");
        AdapterFolder.write(dir, model, TinyEncoder.kaiming(), enc, TinyEncoder.LABELS, MAX_LENGTH, Map.of(), false);
        Path denseCfg = dir.resolve("2_Dense/config.json");
        String good = Files.readString(denseCfg);
        record Case(String field, String text) {}
        for (Case c : List.of(new Case("activation_function", good.replace("torch.nn.modules.linear.Identity",
                        "torch.nn.modules.activation.Tanh")),
                new Case("out_features", good.replace("\"out_features\" : 3", "\"out_features\" : 2")),
                new Case("(json)", good.substring(0, good.length() / 2)))) {
            Files.writeString(denseCfg, c.text());
            BertForSequenceClassification fresh = enc.newClassifier(3, 77, BertOptions.defaults());
            float[] before = fresh.namedParameters().get("classifier.weight").toFloatArray();
            HfFolderFormatException e = assertThrows(HfFolderFormatException.class, () -> AdapterFolder.load(dir, fresh));
            assertTrue(e.getMessage().startsWith(denseCfg + ": " + c.field()), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line");
            assertArrayEquals(before, fresh.namedParameters().get("classifier.weight").toFloatArray(), "head unchanged");
            assertTrue(dev.balora.core.lora.LoraInjector.adapters(fresh).isEmpty(), "no adapters injected on failure");
        }
        Files.writeString(denseCfg, good);
        // A non-finite head weight is refused by name.
        Path weights = dir.resolve("2_Dense/model.safetensors");
        float[] w = model.namedParameters().get("classifier.weight").toFloatArray();
        w[4] = Float.NaN;
        dev.balora.core.io.SafetensorsWriter.write(weights, Map.of(
                "linear.weight", new dev.balora.core.io.F32Tensor(new long[] {3, 8}, w),
                "linear.bias", new dev.balora.core.io.F32Tensor(new long[] {3}, new float[3])));
        HfFolderFormatException e = assertThrows(HfFolderFormatException.class,
                () -> AdapterFolder.load(dir, enc.newClassifier(3, 77, BertOptions.defaults())));
        assertTrue(e.getMessage().startsWith(weights + ": linear.weight: value 4 is NaN"), e.getMessage());
        Files.delete(weights);
        e = assertThrows(HfFolderFormatException.class,
                () -> AdapterFolder.load(dir, enc.newClassifier(3, 77, BertOptions.defaults())));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void mergedFolderIsABertModelWithLabelMapsAndAHeadAndReloadsToTheSameLogits(@TempDir Path tmp) throws Exception {
        PretrainedEncoder enc = TinyEncoder.make("minilm");
        BertForSequenceClassification model = TinyEncoder.adapted(enc, TinyEncoder.pissa());
        float[] expected = TinyEncoder.logits(model, enc, MAX_LENGTH);
        Path dir = tmp.resolve("merged");
        MergedFolder.write(dir, model, enc, TinyEncoder.LABELS, MAX_LENGTH);
        assertEquals(Set.of("config.json", "model.safetensors", "labels.txt", "README.md", "modules.json",
                "sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling/config.json",
                "2_Dense/config.json", "2_Dense/model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "special_tokens_map.json", "vocab.txt"), files(dir));
        JsonNode cfg = json(dir.resolve("config.json"));
        assertEquals("BertModel", cfg.get("architectures").get(0).asText());
        assertEquals("great", cfg.get("id2label").get("0").asText());
        assertEquals("meh", cfg.get("id2label").get("2").asText());
        assertEquals(1, cfg.get("label2id").get("other").asInt());
        assertFalse(cfg.has("_name_or_path"), "a merged model is not the Hub base: it must not name it");
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve("model.safetensors"))) {
            assertEquals(enc.weights().keySet(), r.names(), "exactly the encoder's tensors, transformers' BertModel names");
        }
        assertEquals("great,other,meh", Files.readString(dir.resolve("labels.txt")).strip());
        assertTrue(Files.readString(dir.resolve("README.md")).contains("SentenceTransformer(\""
                + dir.toAbsolutePath().normalize() + "\").encode(texts, convert_to_tensor=True).softmax(-1)"));
        assertTrue(Files.readString(dir.resolve("README.md")).contains("`AutoModelForSequenceClassification` and "
                + "`pipeline(\"text-classification\")` load this folder with an untrained pooler and classifier"));

        PretrainedEncoder reread = PretrainedEncoder.load(dir.toString());
        BertForSequenceClassification again = reread.newClassifier(3, 1, BertOptions.defaults());
        SentenceTransformerLayout.DenseHead head = SentenceTransformerLayout.readHead(dir, 8, 3);
        again.loadStateDict(Map.of("classifier.weight", Tensor.of(head.weight(), 3, 8), "classifier.bias",
                Tensor.of(head.bias(), 3)), false);
        again.eval();
        assertArrayEquals(expected, TinyEncoder.logits(again, reread, MAX_LENGTH), 2e-5f,
                "merged encoder + 2_Dense head = the adapted classifier");
        HubBase asBase = HubBase.of(reread);
        assertEquals(dir.toAbsolutePath().normalize().toString(), asBase.nameOrPath(), "a folder without _name_or_path: its path");
        assertEquals(PoolingMode.MEAN, asBase.pooling());
        assertFalse(asBase.normalize());
        assertEquals(MAX_LENGTH, asBase.maxSeqLength());
    }

    @Test
    void baseFolderIsTheHubsSentenceTransformersLayout(@TempDir Path tmp) throws Exception {
        PretrainedEncoder enc = TinyEncoder.make("minilm");
        Path dir = tmp.resolve("base");
        HubBase written = BaseFolder.write(dir, enc, 0);
        assertEquals(new HubBase(HubBase.MINILM_ID, PoolingMode.MEAN, true, 256), written);
        assertEquals(Set.of("config.json", "model.safetensors", "README.md", "modules.json", "sentence_bert_config.json",
                "config_sentence_transformers.json", "1_Pooling/config.json", "tokenizer.json", "tokenizer_config.json",
                "special_tokens_map.json", "vocab.txt"), files(dir));
        assertTrue(Files.isDirectory(dir.resolve("2_Normalize")));
        JsonNode cfg = json(dir.resolve("config.json"));
        assertEquals(HubBase.MINILM_ID, cfg.get("_name_or_path").asText());
        assertEquals("bert", cfg.get("model_type").asText());
        assertEquals(List.of("sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
                "sentence_transformers.models.Normalize"), json(dir.resolve("modules.json")).findValuesAsText("type"));
        assertEquals(256, json(dir.resolve("tokenizer_config.json")).get("model_max_length").asInt());
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve("model.safetensors"))) {
            for (var e : enc.weights().entrySet()) {
                assertArrayEquals(e.getValue().data(), r.readFloats(e.getKey()), e.getKey() + " bit for bit");
            }
        }
        PretrainedEncoder reread = PretrainedEncoder.load(dir.toString());
        assertEquals(enc.config(), reread.config());
        assertEquals(new HubBase(HubBase.MINILM_ID, PoolingMode.MEAN, true, 256), HubBase.of(reread),
                "the exported folder keeps its Hub id and recipe: adapters trained on it name the same base");
        assertEquals(HubBase.MINILM_ID, json(dir.resolve("config.json")).get(HubBase.HUB_ID_KEY).asText());
        // A folder's _name_or_path alone is not trusted (the Hub's all-MiniLM-L6-v2 says nreimers/MiniLM-L6-H384-uncased).
        com.fasterxml.jackson.databind.node.ObjectNode plain = (com.fasterxml.jackson.databind.node.ObjectNode) json(dir.resolve("config.json"));
        plain.remove(HubBase.HUB_ID_KEY);
        plain.put("_name_or_path", "nreimers/MiniLM-L6-H384-uncased");
        Files.writeString(dir.resolve("config.json"), plain.toString());
        assertEquals(dir.toAbsolutePath().normalize().toString(), HubBase.of(PretrainedEncoder.load(dir.toString())).nameOrPath());
        plain.put(HubBase.HUB_ID_KEY, 7);
        Files.writeString(dir.resolve("config.json"), plain.toString());
        HfFolderFormatException bad = assertThrows(HfFolderFormatException.class, () -> HubBase.of(PretrainedEncoder.load(dir.toString())));
        assertTrue(bad.getMessage().endsWith("config.json: balora_hub_id: expected a Hub id, got 7"), bad.getMessage());
        // bge-small's recipe
        HubBase bge = BaseFolder.write(tmp.resolve("bge"), TinyEncoder.make("bge-small"), 40);
        assertEquals(new HubBase(HubBase.BGE_SMALL_ID, PoolingMode.CLS, true, 40), bge);
        assertTrue(json(tmp.resolve("bge/1_Pooling/config.json")).get("pooling_mode_cls_token").asBoolean());
        assertThrows(IllegalArgumentException.class, () -> BaseFolder.write(tmp.resolve("long"), enc, 513));
    }
}
