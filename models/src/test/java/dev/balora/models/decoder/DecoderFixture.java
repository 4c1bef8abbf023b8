package dev.balora.models.decoder;

import dev.balora.core.io.SafetensorsReader;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** One model directory written by tools/make_decoder_fixture.py and its PyTorch float64 results. */
record DecoderFixture(Path dir, int n, int t, int[] ids, int[] labels, double[] logits, double loss,
                      Map<String, double[]> grads, int[] prompt, int[] greedy) {
    static final String[] NAMES = {"gpt2-tiny", "llama-gqa", "llama-mqa-tied"};

    static DecoderFixture load(String name) throws IOException {
        Path dir;
        try {
            dir = Path.of(DecoderFixture.class.getResource("/decoder/" + name + "/config.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve("expected.safetensors"))) {
            long[] shape = r.tensor("ids").shape();
            Map<String, double[]> grads = new LinkedHashMap<>();
            for (String k : r.names()) {
                if (k.startsWith("grad.")) {
                    grads.put(k.substring(5), r.readDoubles(k));
                }
            }
            return new DecoderFixture(dir, (int) shape[0], (int) shape[1], ints(r.readLongs("ids")),
                    ints(r.readLongs("labels")), r.readDoubles("logits"), r.readDoubles("loss")[0], grads,
                    ints(r.readLongs("prompt")), ints(r.readLongs("greedy")));
        }
    }

    static int[] ints(long[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.toIntExact(v[i]);
        }
        return out;
    }

    /** max |a − b| / max(1, max |b|): an error relative to the scale of the reference. */
    static double relError(double[] a, double[] b) {
        double worst = 0;
        double scale = 1;
        for (double v : b) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst / scale;
    }
}
