package dev.balora.core.tensor;

import static dev.balora.core.ops.Ops.*;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Shape mismatches name the op and both shapes. */
class ShapeErrorsTest {
    @Test
    void matmulNamesBothShapes() {
        Tensor a = Tensor.zeros(3, 4);
        Tensor b = Tensor.zeros(5, 6);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> matmul(a, b));
        assertTrue(e.getMessage().contains("matmul"), e.getMessage());
        assertTrue(e.getMessage().contains("[3, 4]") && e.getMessage().contains("[5, 6]"), e.getMessage());
    }

    @Test
    void broadcastNamesBothShapes() {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> add(Tensor.zeros(3, 4), Tensor.zeros(3)));
        assertTrue(e.getMessage().startsWith("add:") && e.getMessage().contains("[3, 4]") && e.getMessage().contains("[3]"),
                e.getMessage());
    }

    @Test
    void reshapeAndSliceAndConcat() {
        assertTrue(assertThrows(ShapeMismatchException.class, () -> Tensor.zeros(3, 4).reshape(5, 2))
                .getMessage().contains("reshape"));
        assertTrue(assertThrows(ShapeMismatchException.class, () -> slice(Tensor.zeros(3, 4), 1, 2, 9))
                .getMessage().contains("slice"));
        assertTrue(assertThrows(ShapeMismatchException.class,
                () -> concat(java.util.List.of(Tensor.zeros(3, 4), Tensor.zeros(2, 5)), 0)).getMessage().contains("concat"));
    }

    @Test
    void layerNormAffineShape() {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> layerNorm(Tensor.zeros(2, 4), Tensor.zeros(3), null, 1e-5));
        assertTrue(e.getMessage().contains("layerNorm") && e.getMessage().contains("[3]"), e.getMessage());
    }

    @Test
    void mixedDtypesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> add(Tensor.zeros(DType.F32, 2), Tensor.zeros(DType.F64, 2)));
        assertTrue(e.getMessage().contains("mixed dtypes"), e.getMessage());
    }
}
