package dev.balora.core.tensor;

/**
 * One recorded op in the autograd tape: its name, its inputs and the rule that turns the output's gradient into
 * gradients of the inputs (calling {@link Tensor#accumulateGrad} on those that require them).
 *
 * @param op       the op's registered name
 * @param inputs   the op's tensor inputs
 * @param backward the gradient rule
 */
public record Node(String op, Tensor[] inputs, Backward backward) {
    /** The gradient rule of one op application. */
    @FunctionalInterface
    public interface Backward {
        /** @param gradOut ∂L/∂output, of the output's shape */
        void apply(Tensor gradOut);
    }
}
