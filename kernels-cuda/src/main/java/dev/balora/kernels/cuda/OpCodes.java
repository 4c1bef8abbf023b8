package dev.balora.kernels.cuda;

import dev.balora.core.backend.BinaryOp;
import dev.balora.core.backend.UnaryOp;

/**
 * The integer op codes the element-wise kernels switch on (the U_* and B_* defines in elementwise.cu). Explicit
 * switches rather than {@code ordinal()} so that reordering the core enums cannot silently change the math; a new
 * constant fails compilation here until it has a code and a kernel branch.
 */
final class OpCodes {
    private OpCodes() {}

    static int of(UnaryOp op) {
        return switch (op) {
            case EXP -> 0;
            case LOG -> 1;
            case TANH -> 2;
            case RELU -> 3;
            case SILU -> 4;
            case SIGMOID -> 5;
            case GELU_ERF -> 6;
            case GELU_TANH -> 7;
            case SQRT -> 8;
            case NEG -> 9;
            case SQUARE -> 10;
        };
    }

    static int of(BinaryOp op) {
        return switch (op) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
        };
    }
}
