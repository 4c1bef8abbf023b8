package dev.balora.core.linalg;

/**
 * The one exception family of the float64 linear-algebra package: shape mismatches, invalid
 * arguments (non-finite entries, ranks out of range) and iterations that fail to converge.
 * Messages name the operation, the argument, the expected and the actual values.
 */
public final class LinalgException extends RuntimeException {

    /** @param message what went wrong, naming the operation, argument, expected and actual value */
    public LinalgException(String message) {
        super(message);
    }

    /** Throws unless every entry of {@code m} is finite; {@code where} names the operation and argument. */
    static void requireFinite(Matrix64 m, String where) {
        double[] d = m.data();
        for (int i = 0; i < d.length; i++) {
            if (!Double.isFinite(d[i])) {
                throw new LinalgException(where + ": expected finite entries, found " + d[i]
                        + " at (" + i / m.cols() + ", " + i % m.cols() + ") of a " + m.shape() + " matrix");
            }
        }
    }
}
