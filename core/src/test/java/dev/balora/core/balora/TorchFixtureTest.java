package dev.balora.core.balora;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.balora.core.io.SafetensorsReader;
import dev.balora.core.lora.LoraConfig;
import dev.balora.core.lora.LoraInit;
import dev.balora.core.lora.LoraLinear;
import dev.balora.core.nn.Linear;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * balora's regularizers and PiSSA init against PyTorch in float64 (fixtures written by
 * {@code tools/make_regularizer_fixture.py} and {@code tools/make_pissa_fixture.py}).
 *
 * <p>The regularizer gradients in the fixture come from torch autograd over plain implementations of the SPEC §2
 * formulas, so this checks balora's hand-derived backward passes against an independent derivation. Tolerance:
 * values to 1e-8 relative (to max(1, |value|)), gradients to 1e-8 relative to the gradient's largest entry.
 */
class TorchFixtureTest {
    static final double TOL = 1e-8;

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(TorchFixtureTest.class.getResource("/fixtures/" + name).toURI());
    }

    /** The terms the fixture holds, by their fixture names. Fresh instances per case (warn-once state is harmless). */
    static Map<String, Supplier<Regularizer>> terms() {
        Map<String, Supplier<Regularizer>> m = new LinkedHashMap<>();
        m.put("kl_T2", () -> new ConsistencyKl(2.0));
        m.put("cosine_mse", ConsistencyCosineMse::new);
        m.put("covariance", DiversityCovariance::new);
        m.put("topk_entropy_K2", () -> new DiversityTopKEntropy(2));
        m.put("topk_entropy_K0", () -> new DiversityTopKEntropy(0));
        m.put("svd_nuclear_k2", () -> new SvdRegularizer(SvdRegularizer.Norm.NUCLEAR, 2, 7));
        m.put("svd_frobenius_k3", () -> new SvdRegularizer(SvdRegularizer.Norm.FROBENIUS, 3, 7));
        return m;
    }

    @Test
    void regularizerValuesAndGradientsMatchTorchAutograd() throws Exception {
        List<String> report = new ArrayList<>();
        int computed = 0;
        int skipped = 0;
        try (SafetensorsReader st = SafetensorsReader.open(fixture("regularizers_torch.safetensors"))) {
            JsonNode manifest = new ObjectMapper().readTree(st.metadata().get("manifest"));
            assertEquals(6, manifest.size(), "fixture cases");
            for (JsonNode c : manifest) {
                String name = c.get("name").asText();
                int n = c.get("n").asInt();
                int w = c.get("w").asInt();
                double[] zf = st.readDoubles(name + ".zf");
                Tensor zp = Tensor.of(st.readDoubles(name + ".zp"), n, w);
                for (Map.Entry<String, Supplier<Regularizer>> e : terms().entrySet()) {
                    String term = e.getKey();
                    String status = c.get("terms").get(term).asText();
                    Tensor z = Tensor.of(zf.clone(), n, w).requiresGrad(true);
                    Tensor loss = e.getValue().get().apply(z, zp);
                    if (status.equals("skipped")) {
                        assertEquals(0.0, loss.item(), 0.0, name + " " + term + " must be skipped");
                        // A skipped term is a tracked zero: backward() works and leaves a zero gradient.
                        assertTrue(loss.requiresGrad(), name + " " + term + ": a skipped term is still recorded");
                        loss.backward();
                        assertEquals(0.0, maxAbs(z.grad().toDoubleArray()), 0.0, name + " " + term + ": zero gradient");
                        skipped++;
                        continue;
                    }
                    double want = st.readDoubles(name + "." + term + ".value")[0];
                    double[] wantGrad = st.readDoubles(name + "." + term + ".grad");
                    loss.backward();
                    double[] grad = z.grad().toDoubleArray();
                    double valueErr = Math.abs(loss.item() - want) / Math.max(1.0, Math.abs(want));
                    double gradErr = maxAbsDiff(grad, wantGrad) / maxAbs(wantGrad);
                    report.add(String.format("%s %s: value %.2e grad %.2e", name, term, valueErr, gradErr));
                    assertTrue(valueErr <= TOL, name + " " + term + ": value " + loss.item() + " vs torch " + want);
                    assertTrue(gradErr <= TOL, name + " " + term + ": gradient relative error " + gradErr);
                    computed++;
                }
            }
        }
        assertEquals(41, computed, "computed terms: " + report);
        assertEquals(1, skipped, "skipped terms (nuclear SVD k >= min(N, w) at 2x3; frobenius is computed there)");
        System.out.println("TorchFixtureTest worst errors: " + report.stream()
                .sorted((a, b) -> Double.compare(worst(b), worst(a))).limit(3).toList());
    }

    private static double worst(String line) {
        String[] p = line.split(" ");
        return Math.max(Double.parseDouble(p[3]), Double.parseDouble(p[5]));
    }

    @Test
    void pissaInitMatchesTorchSvd() throws Exception {
        try (SafetensorsReader st = SafetensorsReader.open(fixture("pissa_torch.safetensors"))) {
            int r = Integer.parseInt(st.metadata().get("r"));
            double alpha = Double.parseDouble(st.metadata().get("lora_alpha"));
            Linear base = new Linear(17, 33, false, DType.F64, 3);
            base.loadStateDict(Map.of("weight", Tensor.of(st.readDoubles("w"), 33, 17)), true);
            LoraConfig cfg = new LoraConfig(r, alpha, 0.0, false, new LoraInit.Pissa(), List.of("x"), List.of(), 0);
            LoraLinear lora = new LoraLinear(base, cfg, 11);
            assertEquals(2.0, lora.scaling(), 0.0);
            double[] a = lora.loraA().toDoubleArray();
            double[] b = lora.loraB().toDoubleArray();
            double[] sba = new double[33 * 17];
            for (int o = 0; o < 33; o++) {
                for (int j = 0; j < 17; j++) {
                    double acc = 0;
                    for (int i = 0; i < r; i++) {
                        acc += b[o * r + i] * a[i * 17 + j];
                    }
                    sba[o * 17 + j] = lora.scaling() * acc;
                }
            }
            double[] wantSba = st.readDoubles("sba");
            assertTrue(maxAbsDiff(sba, wantSba) / maxAbs(wantSba) <= 1e-10, "s·B·A " + maxAbsDiff(sba, wantSba));
            double[] wRes = lora.weight().toDoubleArray();
            double[] wantRes = st.readDoubles("w_res");
            assertTrue(maxAbsDiff(wRes, wantRes) / maxAbs(wantRes) <= 1e-10, "W_res " + maxAbsDiff(wRes, wantRes));
            double[] wantA = st.readDoubles("a");
            double[] wantB = st.readDoubles("b");
            for (int i = 0; i < r; i++) {
                // Singular vectors are defined up to sign: flip component i of ours onto torch's, jointly in A and B.
                double dot = 0;
                for (int j = 0; j < 17; j++) {
                    dot += a[i * 17 + j] * wantA[i * 17 + j];
                }
                double sign = Math.signum(dot);
                for (int j = 0; j < 17; j++) {
                    assertEquals(wantA[i * 17 + j], sign * a[i * 17 + j], 1e-10, "A[" + i + "," + j + "]");
                }
                for (int o = 0; o < 33; o++) {
                    assertEquals(wantB[o * r + i], sign * b[o * r + i], 1e-10, "B[" + o + "," + i + "]");
                }
            }
        }
    }

    static double maxAbsDiff(double[] a, double[] b) {
        assertEquals(b.length, a.length, "lengths");
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
