package dev.balora.core.ops;

import static dev.balora.core.ops.Ops.mul;
import static dev.balora.core.ops.Ops.sumAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.balora.core.backend.Backends;
import dev.balora.core.backend.ReferenceBackend;
import dev.balora.core.backend.TransferCountingBackend;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.StorageScope;
import dev.balora.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every op of {@link GradCheckAllOpsTest}, forward and backward, on a pretend device ({@link TransferCountingBackend}
 * over the reference) against the reference itself: the values and gradients must be equal bit for bit. The pretend
 * device hands out NaN-filled memory where an op asked for memory it promised to overwrite (what a GPU returns
 * uncleared), and refuses storage used after its {@link StorageScope} closed, so an op that reads an output before
 * writing it, or keeps a tensor past its scope, fails here instead of on a GPU.
 */
class PretendDeviceOpsTest {
    private static final TransferCountingBackend DEVICE = new TransferCountingBackend(ReferenceBackend.INSTANCE);

    /** The cases built twice: constants they capture (teacher outputs, masks) live on the backend they run on. */
    private static final List<GradCheckAllOpsTest.Case> ON_REFERENCE = new ArrayList<>();
    private static final List<GradCheckAllOpsTest.Case> ON_DEVICE = new ArrayList<>();

    static Stream<Arguments> cases() {
        ON_REFERENCE.clear();
        ON_DEVICE.clear();
        GradCheckAllOpsTest.cases().forEach(a -> ON_REFERENCE.add((GradCheckAllOpsTest.Case) a.get()[0]));
        Backends.withBackend(DEVICE, () -> GradCheckAllOpsTest.cases()
                .forEach(a -> ON_DEVICE.add((GradCheckAllOpsTest.Case) a.get()[0])));
        List<Arguments> out = new ArrayList<>();
        for (int i = 0; i < ON_REFERENCE.size(); i++) {
            out.add(Arguments.of(ON_REFERENCE.get(i).name(), i));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void valuesAndGradientsEqualTheReference(String name, int index) {
        GradCheckAllOpsTest.Case cs = ON_REFERENCE.get(index);
        GradCheckAllOpsTest.Case onDevice = ON_DEVICE.get(index);
        long seed = cs.name().hashCode();
        List<double[]> inputValues = new ArrayList<>();
        for (int[] shape : cs.shapes()) {
            inputValues.add(Tensor.uniform(DType.F64, seed++, cs.lo(), cs.hi(), shape).toDoubleArray());
        }
        double[][] expected = run(ReferenceBackend.INSTANCE, cs, inputValues);
        double[][] actual = new double[0][];
        try (StorageScope scope = StorageScope.open()) {
            double[][][] holder = new double[1][][];
            Backends.withBackend(DEVICE, () -> holder[0] = run(DEVICE, onDevice, inputValues));
            actual = holder[0];
        }
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], 0.0, cs.name() + (i == 0 ? ": output" : ": gradient " + (i - 1)));
        }
    }

    /** Output values, then each input's gradient of Σ output ⊙ w for a fixed w. */
    private static double[][] run(dev.balora.core.backend.Backend b, GradCheckAllOpsTest.Case cs, List<double[]> values) {
        List<Tensor> inputs = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            Tensor t = new Tensor(b, b.fromHost(values.get(i)), cs.shapes()[i]);
            inputs.add(t.requiresGrad(true));
        }
        Tensor out = cs.op().apply(inputs);
        double[] w = Tensor.uniform(DType.F64, 99, -1, 1, out.shape()).toDoubleArray();
        sumAll(mul(out, new Tensor(b, b.fromHost(w), out.shape()))).backward();
        double[][] r = new double[1 + inputs.size()][];
        r[0] = out.toDoubleArray();
        for (int i = 0; i < inputs.size(); i++) {
            Tensor g = inputs.get(i).grad();
            r[1 + i] = g == null ? new double[0] : g.toDoubleArray();
        }
        return r;
    }
}
