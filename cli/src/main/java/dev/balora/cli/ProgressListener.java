package dev.balora.cli;

import dev.balora.core.train.StepRecord;
import dev.balora.core.train.TrainingListener;
import dev.balora.core.train.TrainingSummary;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A terminal progress bar with ETA, live loss and throughput (on standard error). */
final class ProgressListener implements TrainingListener {
    private final String name;
    private ProgressBar bar;

    ProgressListener(String name) {
        this.name = name;
    }

    @Override
    public void onStart(long startStep, long totalSteps) {
        bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(totalSteps).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).showSpeed().setUnit(" steps", 1).build();
        bar.stepTo(startStep);
    }

    @Override
    public void onStep(StepRecord r) {
        if (bar != null) {
            bar.stepTo(r.step());
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f · %.1f ex/s", r.loss(), r.examplesPerSecond()));
        }
    }

    @Override
    public void onFinish(TrainingSummary summary) {
        close();
    }

    /** Ends the bar (also when training stopped or failed before it finished); idempotent. */
    void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
