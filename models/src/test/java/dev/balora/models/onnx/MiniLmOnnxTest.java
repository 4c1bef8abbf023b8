package dev.balora.models.onnx;

import static org.junit.jupiter.api.Assertions.*;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.balora.models.ModelArtifacts;
import dev.balora.models.bert.BertConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real all-MiniLM-L6-v2 ONNX file from the langchain4j jar on the test class path. */
class MiniLmOnnxTest {
    private static ModelArtifacts artifacts;
    private static OnnxGraph graph;
    private static BertOnnxWeights weights;
    private static long parseMillis;

    @BeforeAll
    static void readOnce() throws IOException {
        artifacts = ModelArtifacts.defaultModel();
        long t0 = System.nanoTime();
        graph = artifacts.readGraph();
        parseMillis = (System.nanoTime() - t0) / 1_000_000;
        long t1 = System.nanoTime();
        weights = BertOnnxWeights.fromGraph(graph);
        long mapMillis = (System.nanoTime() - t1) / 1_000_000;
        System.out.println("MiniLM parse (in-process, 2 shared cores): " + parseMillis + " ms, BERT mapping: "
                + mapMillis + " ms; notes: " + weights.notes());
    }

    @Test
    void graphFactsMatchTheExport() {
        assertEquals(6, graph.irVersion());
        assertEquals(Map.of("", 11L), graph.opsets());
        assertEquals(List.of("input_ids", "attention_mask", "token_type_ids"), graph.inputs());
        assertEquals(List.of("last_hidden_state"), graph.outputs());
        assertEquals(102, graph.initializers().size(), "101 parameters + embeddings.position_ids");
        assertArrayEquals(new long[] {1, 512}, graph.initializer("embeddings.position_ids").dims());
        long[] positionIds = graph.initializer("embeddings.position_ids").longs();
        assertEquals(0, positionIds[0]);
        assertEquals(511, positionIds[511]);
    }

    @Test
    void configIsDerivedFromTheGraph() {
        assertEquals(new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12, "gelu"), weights.config());
        assertEquals(32, weights.config().headDim());
        assertTrue(weights.notes().get(0).contains("Reshape"), "heads from the graph, not the table: " + weights.notes());
        assertTrue(weights.notes().get(1).contains("decomposed LayerNorm"), weights.notes().toString());
        assertTrue(weights.notes().get(2).contains("Erf"), weights.notes().toString());
    }

    @Test
    void all101ParametersAreMappedWithHuggingFaceShapes() {
        Map<String, WeightTensor> t = weights.tensors();
        assertEquals(6 * 16 + 5, t.size());
        assertArrayEquals(new int[] {30522, 384}, t.get("embeddings.word_embeddings.weight").shape());
        assertArrayEquals(new int[] {512, 384}, t.get("embeddings.position_embeddings.weight").shape());
        assertArrayEquals(new int[] {2, 384}, t.get("embeddings.token_type_embeddings.weight").shape());
        for (String name : t.keySet()) {
            int[] shape = t.get(name).shape();
            if (name.endsWith("intermediate.dense.weight")) {
                assertArrayEquals(new int[] {1536, 384}, shape, name);
            } else if (name.endsWith("output.dense.weight") && !name.contains("attention")) {
                assertArrayEquals(new int[] {384, 1536}, shape, name);
            } else if (name.startsWith("encoder") && name.endsWith(".weight") && !name.contains("LayerNorm")) {
                assertArrayEquals(new int[] {384, 384}, shape, name);
            } else if (name.endsWith("intermediate.dense.bias")) {
                assertArrayEquals(new int[] {1536}, shape, name);
            } else if (!name.contains("_embeddings")) {
                assertArrayEquals(new int[] {384}, shape, name);
            }
        }
        // The linear weight of query/layer 3 is the transpose of the initializer its MatMul node consumes.
        OnnxNode mm = graph.node("/encoder/layer.3/attention/self/query/MatMul");
        float[] onnx = graph.initializer(mm.inputs().get(1)).floats();
        float[] hf = t.get("encoder.layer.3.attention.self.query.weight").data();
        assertEquals(onnx[5 * 384 + 17], hf[17 * 384 + 5]);
    }

    @Test
    void referenceForwardOnMappedWeightsReproducesTheKnownSentenceEmbedding() {
        // "hello world" = [CLS] hello world [SEP]; the normalised mean-pooled embedding per /work/shared/DATA.md.
        double[][] h = new ReferenceBertForward(weights).lastHiddenState(new int[] {101, 7592, 2088, 102}, new int[4]);
        double[] mean = new double[384];
        for (double[] row : h) {
            for (int j = 0; j < 384; j++) {
                mean[j] += row[j] / h.length;
            }
        }
        double norm = 0;
        for (double v : mean) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        double[] expected = {-0.03448, 0.03102, 0.00673, 0.02611};
        for (int j = 0; j < expected.length; j++) {
            assertEquals(expected[j], mean[j] / norm, 6e-6, "component " + j);
        }
    }

    @Test
    void referenceForwardOnMappedWeightsAgreesWithOnnxRuntime() throws Exception {
        Random r = new Random(17);
        int t = 13;
        int[] ids = new int[t];
        int[] types = new int[t];
        for (int i = 0; i < t; i++) {
            ids[i] = i == 0 ? 101 : i == t - 1 ? 102 : 1000 + r.nextInt(29000);
            types[i] = i < 6 ? 0 : 1; // exercise both token-type rows
        }
        double[][] ours = new ReferenceBertForward(weights).lastHiddenState(ids, types);

        byte[] model;
        try (ModelArtifacts.SizedStream s = artifacts.openOnnx()) {
            model = s.stream().readAllBytes();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[][] idsL = new long[1][t], maskL = new long[1][t], typesL = new long[1][t];
        for (int i = 0; i < t; i++) {
            idsL[0][i] = ids[i];
            maskL[0][i] = 1;
            typesL[0][i] = types[i];
        }
        float[][][] ort;
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
             ai.onnxruntime.OnnxTensor a = ai.onnxruntime.OnnxTensor.createTensor(env, idsL);
             ai.onnxruntime.OnnxTensor b = ai.onnxruntime.OnnxTensor.createTensor(env, maskL);
             ai.onnxruntime.OnnxTensor c = ai.onnxruntime.OnnxTensor.createTensor(env, typesL);
             OrtSession.Result result = session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
            ort = (float[][][]) result.get(0).getValue();
        }
        double maxDiff = 0;
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < 384; j++) {
                maxDiff = Math.max(maxDiff, Math.abs(ours[i][j] - ort[0][i][j]));
            }
        }
        System.out.println("max |reference - ORT| over [13, 384]: " + maxDiff);
        assertTrue(maxDiff < 1e-4, "max abs difference " + maxDiff);
    }

    @Test
    void parsingNeedsNoMoreThanTwiceTheModelSizeInHeap() throws Exception {
        long size;
        try (ModelArtifacts.SizedStream s = artifacts.openOnnx()) {
            size = s.size();
        }
        long heapMb = 2 * size / (1 << 20);
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx" + heapMb + "m", "-XX:+UseParallelGC", "-cp",
                System.getProperty("java.class.path"), OnnxParseProbe.class.getName())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println("child JVM -Xmx" + heapMb + "m: " + out.trim());
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("initializers=102"), out);
    }
}
