package dev.balora.models.decoder;

/** Row-major 2-D transposes of raw arrays (GPT-2's Conv1D [in, out] ↔ Linear [out, in]). */
final class Transpose {
    private Transpose() {}

    /** @param v [rows, cols] row-major @return [cols, rows] row-major */
    static float[] of(float[] v, int rows, int cols) {
        float[] out = new float[v.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = v[r * cols + c];
            }
        }
        return out;
    }

    /** @param v [rows, cols] row-major @return [cols, rows] row-major */
    static double[] of(double[] v, int rows, int cols) {
        double[] out = new double[v.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = v[r * cols + c];
            }
        }
        return out;
    }
}
