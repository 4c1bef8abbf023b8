package dev.balora.core.backend;

/** Element-wise binary operations with NumPy broadcasting. */
public enum BinaryOp {
    ADD { public double apply(double a, double b) { return a + b; } },
    SUB { public double apply(double a, double b) { return a - b; } },
    MUL { public double apply(double a, double b) { return a * b; } },
    DIV { public double apply(double a, double b) { return a / b; } };

    /** @return a ∘ b. */
    public abstract double apply(double a, double b);
}
