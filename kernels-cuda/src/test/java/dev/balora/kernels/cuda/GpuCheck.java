package dev.balora.kernels.cuda;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.balora.core.backend.BackendProvider.Availability;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The one-command GPU check behind {@code scripts/gpu-check.sh}, runnable without Maven: runs the kernels-cuda test
 * classes (the parity suite included) through the JUnit Platform launcher, then {@link GpuBenchmark}, and appends
 * tab-separated result rows to a file for the script's final table.
 *
 * <p>Usage: {@code GpuCheck RESULTS.tsv [--bench-only]}. Exit status 0 when no test failed (the probe tests that
 * only apply without CUDA abort on a GPU), 1 on a test failure, 2 when CUDA is unavailable.
 */
public final class GpuCheck {
    private GpuCheck() {}

    public static void main(String[] args) throws IOException {
        Path results = Path.of(args.length > 0 ? args[0] : "gpu-check-results.tsv");
        boolean benchOnly = List.of(args).contains("--bench-only");
        Availability a = CudaProbe.availability();
        System.out.println("cuda probe: " + (a.available() ? "available, " : "UNAVAILABLE, ") + a.reason());
        List<String> rows = new ArrayList<>();
        int status = 0;
        if (!a.available()) {
            rows.add("probe\t-\tunavailable\t" + a.reason());
            append(results, rows);
            System.exit(2);
        }
        CudaBackend cuda = (CudaBackend) new CudaBackendProvider().create();
        cuda.describe().forEach((k, v) -> System.out.println("  " + k + ": " + v));
        if (!benchOnly) {
            TestExecutionSummary s = runTests();
            s.printTo(new PrintWriter(System.out));
            s.printFailuresTo(new PrintWriter(System.out), 25);
            rows.add("tests\t" + s.getTestsFoundCount() + " found\t" + s.getTestsSucceededCount() + " passed, "
                    + s.getTestsFailedCount() + " failed, " + s.getTestsSkippedCount() + " skipped, "
                    + s.getTestsAbortedCount() + " aborted\t" + (s.getTotalFailureCount() == 0 ? "ok" : "FAIL"));
            if (s.getTotalFailureCount() > 0) {
                status = 1;
            }
        }
        for (GpuBenchmark.Row r : new GpuBenchmark(cuda).run(Boolean.getBoolean("balora.cuda.tf32") ? "tf32" : "fp32")) {
            String line = String.format(Locale.ROOT, "%s\t%s\t%.3f ms\t%.2f TFLOP/s", r.name(), r.shape(), r.ms(), r.tflops());
            System.out.println(line);
            rows.add(line);
        }
        append(results, rows);
        System.exit(status);
    }

    private static TestExecutionSummary runTests() {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(CudaParityTest.class), selectClass(CudaRegularizerParityTest.class),
                        selectClass(CudaProbeTest.class),
                        selectClass(PtxResourcesTest.class), selectClass(CachingAllocatorTest.class),
                        selectClass(IndexSpaceTest.class), selectClass(KernelArgsTest.class))
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        return listener.getSummary();
    }

    private static void append(Path file, List<String> rows) throws IOException {
        Files.write(file, rows, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
