package dev.balora.core.train;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A child-process training run for {@link KillAndResumeTest}: the toy BA-LoRA task, a checkpoint after every step,
 * and a short pause per step so the parent can kill it mid-run (including mid-checkpoint).
 * Arguments: output directory, then "run" or "resume".
 */
public final class KillableTraining {
    static final int STEPS = 30;

    static TrainerConfig config(Path out) {
        return TrainerConfig.builder(out).maxSteps(STEPS).microBatchSize(7).gradientAccumulationSteps(2).learningRate(0.02)
                .warmupSteps(2).decay(LrSchedule.Decay.COSINE).maxGradNorm(1.0).checkpointEvery(1).seed(99).build();
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Trainer t = new Trainer(new ToyTask(60, 20, true, 0.0), config(out)).addListener(new TrainingListener() {
            @Override
            public void onStep(StepRecord r) {
                try {
                    Thread.sleep(40);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        if (args[1].equals("resume") && Files.exists(out.resolve(Trainer.CHECKPOINT_DIR))) {
            t.resume(out.resolve(Trainer.CHECKPOINT_DIR));
        } else {
            t.run();
        }
    }
}
