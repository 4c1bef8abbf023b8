package dev.balora.models.onnx;

import dev.balora.models.ModelArtifacts;
import java.lang.management.ManagementFactory;

/**
 * Run in a child JVM by {@link MiniLmOnnxTest} with a heap of twice the model size: parses the default model
 * and prints the parse time and the heap the graph retains. Exits non-zero (OutOfMemoryError) when the
 * reader needs more heap than it is given.
 */
public final class OnnxParseProbe {
    private OnnxParseProbe() {}

    public static void main(String[] args) throws Exception {
        ModelArtifacts artifacts = ModelArtifacts.defaultModel();
        long t0 = System.nanoTime();
        OnnxGraph graph = artifacts.readGraph();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        System.gc();
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.println("parse_ms=" + millis + " retained_bytes=" + used + " initializers="
                + graph.initializers().size() + " max_heap=" + Runtime.getRuntime().maxMemory());
    }
}
