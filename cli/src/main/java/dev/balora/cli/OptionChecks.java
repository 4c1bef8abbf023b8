package dev.balora.cli;

import java.util.Locale;

/**
 * Range checks for command-line numbers, each failing with one line that names the option and its value: a NaN
 * compares false with every bound, so {@code lr <= 0} alone lets {@code --lr NaN} through.
 */
final class OptionChecks {
    private OptionChecks() {}

    /** @throws UserInputException unless {@code value >= min} */
    static void atLeast(String option, long value, long min) {
        if (value < min) {
            throw new UserInputException(option + " " + value + ": expected an integer >= " + min);
        }
    }

    /** @throws UserInputException unless {@code value} is finite and {@code > 0} */
    static void positive(String option, double value) {
        if (!(Double.isFinite(value) && value > 0)) {
            throw new UserInputException(option + " " + show(value) + ": expected a finite number > 0");
        }
    }

    /** @throws UserInputException unless {@code value} is finite and {@code >= 0} */
    static void nonNegative(String option, double value) {
        if (!(Double.isFinite(value) && value >= 0)) {
            throw new UserInputException(option + " " + show(value) + ": expected a finite number >= 0");
        }
    }

    /** @throws UserInputException unless {@code 0 <= value <= 1} */
    static void fraction(String option, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new UserInputException(option + " " + show(value) + ": expected a number in [0, 1]");
        }
    }

    /** @throws UserInputException when {@code value} is NaN or infinite (a default sentinel such as −1 passes) */
    static void finite(String option, double value) {
        if (!Double.isFinite(value)) {
            throw new UserInputException(option + " " + show(value) + ": expected a finite number");
        }
    }

    /**
     * @param rank           the LoRA rank asked for
     * @param minInOut       the smallest min(in, out) over the adapted layers
     * @param maxLength      tokens per example asked for
     * @param maxPositions   the model's position embeddings
     * @param model          the model's name, for the message
     * @throws UserInputException when the rank exceeds a layer's min(in, out) or the length the position embeddings
     */
    static void fitsModel(int rank, int minInOut, int maxLength, int maxPositions, String model) {
        if (rank > minInOut) {
            throw new UserInputException("--rank " + rank + ": above min(in, out) = " + minInOut
                    + " of the adapted layers of " + model);
        }
        fitsPositions(maxLength, maxPositions, model);
    }

    /** @throws UserInputException when {@code maxLength} exceeds the model's position embeddings */
    static void fitsPositions(int maxLength, int maxPositions, String model) {
        if (maxLength > maxPositions) {
            throw new UserInputException("--max-length " + maxLength + ": above the " + maxPositions
                    + " position embeddings (max_position_embeddings) of " + model);
        }
    }

    private static String show(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? Double.toString(v) : String.format(Locale.ROOT, "%s", v);
    }
}
