package dev.balora.core.balora;

import static dev.balora.core.ops.Ops.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.balora.core.lora.LoraConfig;
import dev.balora.core.lora.LoraInit;
import dev.balora.core.lora.LoraInjector;
import dev.balora.core.lora.Teacher;
import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.optim.AdamW;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A toy model with PiSSA adapters trains on a synthetic task with one regularizer at a time: the task loss falls,
 * and the term's value ends lower with the term switched on than in the same run with it off — it moves the way
 * its sign says.
 */
class ToyEndToEndTest {
    static final class Toy extends Module {
        Toy() {
            registerModule("encoder", new Linear(12, 16, true, DType.F32, 1));
            registerModule("classifier", new Linear(16, 3, true, DType.F32, 2));
        }

        Tensor pooled(Tensor x) {
            return tanh(call("encoder", x));
        }

        Tensor logits(Tensor pooled) {
            return call("classifier", pooled);
        }
    }

    record Run(double firstTask, double lastTask, double lastTerm) {}

    static Run train(Regularizer reg, double lambda) {
        int n = 24;
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[n * 12];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 12; j++) {
                x[i * 12 + j] = (float) (Tensor.gaussian(r) + (j % 3 == y[i] ? 1.5 : 0));
            }
        }
        Tensor input = Tensor.of(x, n, 12);
        Toy toy = new Toy();
        LoraInjector.inject(toy, new LoraConfig(3, 3, 0, false, new LoraInit.Pissa(), List.of("encoder", "classifier"), List.of(), 7));
        Teacher teacher = new Teacher(toy, Teacher.Kind.ORIGINAL, false);
        BaLoraObjective obj = new BaLoraObjective(List.of(new BaLoraObjective.Term("t", reg, lambda, Schedule.CONSTANT)));
        AdamW opt = new AdamW(toy.trainableParameters(), 0.9, 0.999, 1e-8, 0.0);
        double first = 0;
        double lastTask = 0;
        double lastTerm = 0;
        int steps = 60;
        for (int s = 0; s < steps; s++) {
            opt.zeroGrad();
            Supplier<Tensor> pooled = () -> toy.pooled(input);
            Tensor zp = teacher.outputs(pooled, null);
            Tensor z = pooled.get();
            BaLoraObjective.Result res = obj.compute(crossEntropy(toy.logits(z), y), z, zp, s, steps);
            res.total().backward();
            opt.step(0.02);
            if (s == 0) {
                first = res.task();
            }
            lastTask = res.task();
            lastTerm = reg.apply(z.detach(), zp).item();
        }
        return new Run(first, lastTask, lastTerm);
    }

    static Regularizer byName(String name) {
        return switch (name) {
            case "kl" -> new ConsistencyKl(2.0);
            case "cosine_mse" -> new ConsistencyCosineMse();
            case "covariance" -> new DiversityCovariance();
            case "topk_entropy" -> new DiversityTopKEntropy(4);
            case "nuclear" -> new SvdRegularizer(SvdRegularizer.Norm.NUCLEAR, 2, 1);
            case "frobenius" -> new SvdRegularizer(SvdRegularizer.Norm.FROBENIUS, 2, 1);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"kl", "cosine_mse", "covariance", "topk_entropy", "nuclear", "frobenius"})
    void lossFallsAndTheTermMovesItsWay(String name) {
        Run off = train(byName(name), 0.0);
        Run on = train(byName(name), name.equals("kl") || name.equals("cosine_mse") ? 5.0 : 1.0);
        assertTrue(on.lastTask() < 0.8 * on.firstTask(), name + ": task loss must fall: " + on);
        assertTrue(on.lastTerm() < off.lastTerm(), name + ": with the term on it must end lower (on " + on.lastTerm()
                + " vs off " + off.lastTerm() + ")");
    }
}
