package dev.balora.core.train;

import dev.balora.core.balora.BaLoraObjective;
import dev.balora.core.balora.ConsistencyCosineMse;
import dev.balora.core.balora.DiversityCovariance;
import dev.balora.core.balora.Schedule;
import dev.balora.core.balora.SvdRegularizer;
import dev.balora.core.lora.LoraConfig;
import dev.balora.core.lora.LoraInit;
import dev.balora.core.lora.LoraInjector;
import dev.balora.core.lora.Teacher;
import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A toy 3-class problem (12 features, class-shifted Gaussians) on a two-layer net whose encoder carries PiSSA LoRA
 * adapters and whose classifier is trained fully, with the three BA-LoRA regularizers and optional dropout on
 * the pooled features (drawn from the step context, so resumes replay the same masks). Everything is seeded: two
 * instances built with the same arguments are identical.
 */
final class ToyTask implements TrainingTask {
    static final int FEATURES = 12;
    static final int CLASSES = 3;

    static final class Net extends Module {
        Net() {
            registerModule("encoder", new Linear(FEATURES, 16, true, DType.F32, 1));
            registerModule("classifier", new Linear(16, CLASSES, true, DType.F32, 2));
        }

        Tensor pooled(Tensor x) {
            return Ops.tanh(call("encoder", x));
        }

        Tensor logits(Tensor pooled) {
            return call("classifier", pooled);
        }
    }

    final Net model = new Net();
    private final float[] trainX;
    private final int[] trainY;
    private final float[] evalX;
    private final int[] evalY;
    private final double dropout;
    private final Teacher teacher;
    private final BaLoraObjective objective;

    ToyTask(int nTrain, int nEval, boolean balora, double dropout) {
        SplittableRandom r = new SplittableRandom(3);
        trainY = new int[nTrain];
        trainX = sample(r, trainY);
        evalY = new int[nEval];
        evalX = sample(r, evalY);
        this.dropout = dropout;
        LoraInjector.inject(model, new LoraConfig(4, 4, 0, false, new LoraInit.Pissa(), List.of("encoder"),
                List.of("classifier"), 7));
        teacher = new Teacher(model, Teacher.Kind.ORIGINAL, true);
        objective = balora ? new BaLoraObjective(List.of(
                new BaLoraObjective.Term("consistency", new ConsistencyCosineMse(), 0.15, Schedule.CONSTANT),
                new BaLoraObjective.Term("diversity", new DiversityCovariance(), 0.03, Schedule.CONSTANT),
                new BaLoraObjective.Term("svd", new SvdRegularizer(SvdRegularizer.Norm.NUCLEAR, 1, 5), 0.03,
                        Schedule.TWO_PHASE))) : null;
    }

    private static float[] sample(SplittableRandom r, int[] y) {
        float[] x = new float[y.length * FEATURES];
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextInt(CLASSES);
            for (int j = 0; j < FEATURES; j++) {
                x[i * FEATURES + j] = (float) (Tensor.gaussian(r) + (j % CLASSES == y[i] ? 2.0 : 0));
            }
        }
        return x;
    }

    @Override
    public int size() {
        return trainY.length;
    }

    @Override
    public Map<String, Tensor> trainableParameters() {
        return TrainingTask.trainableOf(model);
    }

    @Override
    public MicroBatchLoss loss(int[] ids, StepContext ctx) {
        float[] xb = new float[ids.length * FEATURES];
        int[] yb = new int[ids.length];
        long[] keys = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(trainX, ids[i] * FEATURES, xb, i * FEATURES, FEATURES);
            yb[i] = trainY[ids[i]];
            keys[i] = ids[i];
        }
        Tensor x = Tensor.of(xb, ids.length, FEATURES);
        Tensor z = model.pooled(x);
        if (dropout > 0) {
            z = Ops.dropout(z, dropout, ctx.random());
        }
        Tensor ce = Ops.crossEntropy(model.logits(z), yb);
        if (objective == null) {
            return MicroBatchLoss.of(ce);
        }
        Tensor zp = teacher.outputs(() -> model.pooled(x), keys);
        return MicroBatchLoss.of(objective.compute(ce, z, zp, ctx.step(), ctx.totalSteps()));
    }

    @Override
    public Evaluation evaluate() {
        model.eval();
        try {
            float[] logits = model.logits(model.pooled(Tensor.of(evalX, evalY.length, FEATURES))).toFloatArray();
            int[] pred = new int[evalY.length];
            for (int i = 0; i < pred.length; i++) {
                for (int c = 1; c < CLASSES; c++) {
                    if (logits[i * CLASSES + c] > logits[i * CLASSES + pred[i]]) {
                        pred[i] = c;
                    }
                }
            }
            return new Evaluation.Classification(pred, evalY);
        } finally {
            model.train();
        }
    }
}
