package dev.balora.core.io;

import java.nio.file.Path;

/**
 * The check every weight and adapter tensor passes when it is loaded: all values finite. A NaN or an infinity in
 * a weight file never trains or evaluates to anything but NaN, so it is refused where it is read, naming the file,
 * the tensor and the first bad element; one pass over the values costs far less than reading them.
 */
public final class FiniteValues {
    private FiniteValues() {}

    /**
     * @param file   the file the values were read from (for the message)
     * @param tensor the tensor's name in that file
     * @throws SafetensorsFormatException naming file, tensor, how many values are not finite and the first one
     */
    public static void require(Path file, String tensor, float[] values) throws SafetensorsFormatException {
        int first = -1;
        long count = 0;
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                count++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (count > 0) {
            throw new SafetensorsFormatException(file, "tensor " + SafetensorsHeader.quote(tensor), "finite values",
                    count + " of " + values.length + " not finite, the first " + values[first] + " at element " + first);
        }
    }

    /** As {@link #require(Path, String, float[])} for float64 values, which must also fit float32's range. */
    public static void require(Path file, String tensor, double[] values) throws SafetensorsFormatException {
        int first = -1;
        long count = 0;
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite((float) values[i])) {
                count++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (count > 0) {
            throw new SafetensorsFormatException(file, "tensor " + SafetensorsHeader.quote(tensor),
                    "finite values within float32's range (|x| <= " + Float.MAX_VALUE + ")",
                    count + " of " + values.length + " not, the first " + values[first] + " at element " + first);
        }
    }
}
