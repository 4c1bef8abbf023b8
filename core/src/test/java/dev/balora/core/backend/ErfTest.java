package dev.balora.core.backend;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ErfTest {
    @Test
    void matchesKnownValues() {
        // Values from Abramowitz & Stegun / high-precision tables.
        double[][] table = {
            {0.0, 0.0}, {0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {1.0, 0.8427007929497149},
            {1.5, 0.9661051464753108}, {2.0, 0.9953222650189527}, {2.5, 0.9995930479825550},
            {3.0, 0.9999779095030014}, {4.0, 0.9999999845827421}, {-1.0, -0.8427007929497149}
        };
        for (double[] row : table) {
            assertEquals(row[1], Erf.erf(row[0]), 1e-13, "erf(" + row[0] + ")");
        }
    }

    @Test
    void isContinuousAcrossTheBranchSeam() {
        assertEquals(Erf.erf(2.5 - 1e-12), Erf.erf(2.5 + 1e-12), 1e-12);
    }
}
