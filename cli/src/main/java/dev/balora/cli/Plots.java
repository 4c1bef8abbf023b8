package dev.balora.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Loss and accuracy curves as PNG (XChart, headless). */
final class Plots {
    private Plots() {}

    static void lossAndAccuracy(Path dir, List<RunRecorder> runs) throws IOException {
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
        BitmapEncoder.saveBitmap(loss, dir.resolve("loss.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        if (!acc.getSeriesMap().isEmpty()) {
            BitmapEncoder.saveBitmap(acc, dir.resolve("accuracy.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        }
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
