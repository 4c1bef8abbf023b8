package dev.balora.cli;

import dev.balora.core.train.EvalRecord;
import dev.balora.core.train.StepRecord;
import dev.balora.core.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;

/** Keeps the per-step losses and per-evaluation metrics of one run for plots and tables. */
final class RunRecorder implements TrainingListener {
    final String name;
    final List<Double> steps = new ArrayList<>();
    final List<Double> losses = new ArrayList<>();
    final List<Double> evalSteps = new ArrayList<>();
    final List<Double> evalAccuracy = new ArrayList<>();
    StepRecord last;

    RunRecorder(String name) {
        this.name = name;
    }

    @Override
    public void onStep(StepRecord r) {
        steps.add((double) r.step());
        losses.add(r.loss());
        last = r;
    }

    @Override
    public void onEval(EvalRecord r) {
        Double acc = r.metrics().get("accuracy");
        if (acc != null) {
            evalSteps.add((double) r.step());
            evalAccuracy.add(acc);
        }
    }
}
