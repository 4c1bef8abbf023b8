package dev.balora.core.ops;

import dev.balora.core.tensor.Autograd;
import dev.balora.core.tensor.ShapeMismatchException;
import dev.balora.core.tensor.Shapes;
import dev.balora.core.tensor.Tensor;
import java.util.Arrays;

/** Row gather from an embedding table; the backward pass scatter-adds into the table's gradient. */
public final class EmbeddingLookup {
    private EmbeddingLookup() {}

    /**
     * @param table    [V, d]
     * @param ids      token ids, {@code Shapes.numel(idsShape)} of them, each in [0, V)
     * @param idsShape the shape of the ids (e.g. [N, T])
     * @return [...idsShape, d]
     */
    public static Tensor lookup(Tensor table, int[] ids, int... idsShape) {
        if (table.rank() != 2) {
            throw new ShapeMismatchException("embedding: table must be [V, d], got " + Arrays.toString(table.shape()));
        }
        if (Shapes.numel(idsShape) != ids.length) {
            throw new ShapeMismatchException("embedding: " + ids.length + " ids for shape " + Arrays.toString(idsShape));
        }
        int v = table.dim(0);
        int d = table.dim(1);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= v) {
                throw new IllegalArgumentException("embedding: id " + ids[i] + " at position " + i + " outside vocabulary of " + v);
            }
        }
        int[] outShape = Arrays.copyOf(idsShape, idsShape.length + 1);
        outShape[idsShape.length] = d;
        Tensor out = OpSupport.empty(table, outShape);
        table.backend().gatherRows(table.storage(), ids, out.storage(), d);
        int[] idsCopy = ids.clone();
        return Autograd.record("embedding", out, g -> {
            Tensor dt = OpSupport.zeros(table, v, d); // scatterAddRows accumulates
            table.backend().scatterAddRows(g.storage(), idsCopy, dt.storage(), d);
            table.accumulateOwnedGrad(dt);
        }, table);
    }
}
