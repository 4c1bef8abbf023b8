package dev.balora.models.decoder;

import dev.balora.core.tensor.DType;

/**
 * How a decoder's module tree is built, beyond the architecture in {@link DecoderConfig}.
 *
 * @param dtype element type of every parameter (F64 is for reference checks on the host backend)
 * @param seed  seeds the initial weights and every dropout generator (reproducible runs)
 */
public record DecoderOptions(DType dtype, long seed) {
    public DecoderOptions {
        if (dtype == null) {
            throw new DecoderException("DecoderOptions.dtype: expected F32 or F64, got null");
        }
    }

    /** F32, seed 0. */
    public static DecoderOptions defaults() {
        return new DecoderOptions(DType.F32, 0L);
    }

    /** @return these options with another element type */
    public DecoderOptions withDtype(DType d) {
        return new DecoderOptions(d, seed);
    }

    /** @return these options with another seed */
    public DecoderOptions withSeed(long s) {
        return new DecoderOptions(dtype, s);
    }
}
