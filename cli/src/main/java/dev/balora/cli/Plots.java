package dev.balora.cli;

import dev.balora.core.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Loss and accuracy curves as PNG (XChart, headless). A picture never fails a run: where the charts cannot be drawn
 * (a server or container without fonts, where AWT throws "Fontconfig head is null", a missing native library, no
 * display) one warning line goes to standard error and the run goes on; its exit code reflects the training.
 */
final class Plots {
    /** Turns a chart into PNG bytes; replaced in tests to make drawing fail on purpose. */
    interface Renderer {
        byte[] png(Chart<?, ?> chart) throws Exception;
    }

    /** XChart's own PNG encoder (it draws with AWT, which needs fonts). */
    static final Renderer XCHART = chart -> BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);

    static Renderer renderer = XCHART;

    private Plots() {}

    /**
     * Draws {@code loss.png} and, when any run was evaluated for accuracy, {@code accuracy.png} into {@code dir}. Each
     * file is written whole or not at all.
     *
     * @return whether the plots were drawn; false after a warning on {@code err}
     */
    static boolean lossAndAccuracy(Path dir, List<RunRecorder> runs, PrintStream err) {
        try {
            draw(dir, runs);
            return true;
        } catch (OutOfMemoryError e) {
            throw e;
        } catch (Throwable e) { // AWT fails with Errors too (Fontconfig, UnsatisfiedLinkError, NoClassDefFoundError)
            err.println("balora: warning: no plots drawn (" + oneLine(e) + "); every other output is written. "
                    + "Headless servers need fonts for them (e.g. apt-get install fontconfig fonts-dejavu-core).");
            return false;
        }
    }

    private static void draw(Path dir, List<RunRecorder> runs) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        XYChart loss = new XYChartBuilder().width(900).height(500).title("training loss (per optimizer step)")
                .xAxisTitle("step").yAxisTitle("loss").build();
        XYChart acc = new XYChartBuilder().width(900).height(500).title("evaluation accuracy")
                .xAxisTitle("step").yAxisTitle("accuracy").build();
        for (RunRecorder r : runs) {
            if (!r.steps.isEmpty()) {
                loss.addSeries(r.name, r.steps, smooth(r.losses, 5)).setMarker(SeriesMarkers.NONE);
            }
            if (!r.evalSteps.isEmpty()) {
                acc.addSeries(r.name, r.evalSteps, r.evalAccuracy);
            }
        }
        write(dir.resolve("loss.png"), renderer.png(loss));
        if (!acc.getSeriesMap().isEmpty()) {
            write(dir.resolve("accuracy.png"), renderer.png(acc));
        }
    }

    private static void write(Path file, byte[] png) throws IOException {
        AtomicFiles.writeBytes(file, png);
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        String s = e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
        return s.replaceAll("\\s+", " ").strip();
    }

    /** Trailing moving average: single micro-batch losses are noisy. */
    static List<Double> smooth(List<Double> xs, int window) {
        double[] out = new double[xs.size()];
        double sum = 0;
        for (int i = 0; i < xs.size(); i++) {
            sum += xs.get(i);
            if (i >= window) {
                sum -= xs.get(i - window);
            }
            out[i] = sum / Math.min(i + 1, window);
        }
        return java.util.Arrays.stream(out).boxed().toList();
    }
}
