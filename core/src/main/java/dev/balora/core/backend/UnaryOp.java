package dev.balora.core.backend;

/**
 * Element-wise maps with their derivatives. Each constant's forward and derivative sit side by side so a
 * backend's reference implementation is obviously correct; fast backends implement the same math.
 */
public enum UnaryOp {
    EXP {
        public double apply(double x) { return Math.exp(x); }
        public double derivative(double x, double y) { return y; }
    },
    LOG {
        public double apply(double x) { return Math.log(x); }
        public double derivative(double x, double y) { return 1.0 / x; }
    },
    TANH {
        public double apply(double x) { return Math.tanh(x); }
        public double derivative(double x, double y) { return 1.0 - y * y; }
    },
    RELU {
        public double apply(double x) { return x > 0 ? x : 0.0; }
        public double derivative(double x, double y) { return x > 0 ? 1.0 : 0.0; }
    },
    /** x·sigmoid(x). */
    SILU {
        public double apply(double x) { return x / (1.0 + Math.exp(-x)); }
        public double derivative(double x, double y) {
            double s = 1.0 / (1.0 + Math.exp(-x));
            return s * (1.0 + x * (1.0 - s));
        }
    },
    SIGMOID {
        public double apply(double x) { return 1.0 / (1.0 + Math.exp(-x)); }
        public double derivative(double x, double y) { return y * (1.0 - y); }
    },
    /** Exact GELU: x·Φ(x) with the error function (BERT's "gelu"). */
    GELU_ERF {
        public double apply(double x) { return 0.5 * x * (1.0 + Erf.erf(x / Math.sqrt(2.0))); }
        public double derivative(double x, double y) {
            double cdf = 0.5 * (1.0 + Erf.erf(x / Math.sqrt(2.0)));
            double pdf = Math.exp(-0.5 * x * x) / Math.sqrt(2.0 * Math.PI);
            return cdf + x * pdf;
        }
    },
    /** Tanh-approximated GELU (GPT-2's "gelu_new"). */
    GELU_TANH {
        public double apply(double x) {
            double u = GELU_C * (x + 0.044715 * x * x * x);
            return 0.5 * x * (1.0 + Math.tanh(u));
        }
        public double derivative(double x, double y) {
            double u = GELU_C * (x + 0.044715 * x * x * x);
            double t = Math.tanh(u);
            double du = GELU_C * (1.0 + 3 * 0.044715 * x * x);
            return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du;
        }
    },
    SQRT {
        public double apply(double x) { return Math.sqrt(x); }
        public double derivative(double x, double y) { return 0.5 / y; }
    },
    NEG {
        public double apply(double x) { return -x; }
        public double derivative(double x, double y) { return -1.0; }
    },
    SQUARE {
        public double apply(double x) { return x * x; }
        public double derivative(double x, double y) { return 2.0 * x; }
    };

    static final double GELU_C = Math.sqrt(2.0 / Math.PI);

    /** @return f(x). */
    public abstract double apply(double x);

    /** @return f'(x), given also y = f(x) (cheaper for some maps). */
    public abstract double derivative(double x, double y);
}
