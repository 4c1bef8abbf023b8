package dev.balora.core.io;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Set;

/**
 * Converts little-endian element bytes to Java arrays, one method per target array type. Every
 * conversion here is exact (F16 and BF16 are subsets of F32; F32 is a subset of F64) except F64 to float,
 * which rounds to nearest as a Java {@code (float)} cast does.
 */
final class ElementDecoder {
    /** Types {@link #toFloats} accepts. */
    static final Set<DType> FLOAT_SOURCES = EnumSet.of(DType.F32, DType.F64, DType.F16, DType.BF16);
    /** Types {@link #toDoubles} accepts. */
    static final Set<DType> DOUBLE_SOURCES = EnumSet.of(DType.F64, DType.F32, DType.F16, DType.BF16);
    /** Types {@link #toLongs} accepts: every integer type whose values all fit a signed long. */
    static final Set<DType> LONG_SOURCES = EnumSet.of(DType.I64, DType.I32, DType.I16, DType.I8,
            DType.U32, DType.U16, DType.U8);

    private ElementDecoder() {}

    /** Decodes all remaining elements of {@code src} (little-endian) into {@code dst} from {@code at}; returns the count. */
    static int toFloats(DType type, ByteBuffer src, float[] dst, int at) {
        int n = src.remaining() / type.byteSize();
        for (int i = 0; i < n; i++) {
            dst[at + i] = switch (type) {
                case F32 -> Float.intBitsToFloat(src.getInt());
                case F64 -> (float) Double.longBitsToDouble(src.getLong());
                case F16 -> Float.float16ToFloat(src.getShort());
                // bfloat16 is the high half of a float32: shifting the bits back is the whole conversion.
                case BF16 -> Float.intBitsToFloat((src.getShort() & 0xffff) << 16);
                default -> throw new IllegalArgumentException("not a float source: " + type);
            };
        }
        return n;
    }

    /** As {@link #toFloats} for a {@code double[]}. */
    static int toDoubles(DType type, ByteBuffer src, double[] dst, int at) {
        int n = src.remaining() / type.byteSize();
        for (int i = 0; i < n; i++) {
            dst[at + i] = switch (type) {
                case F64 -> Double.longBitsToDouble(src.getLong());
                case F32 -> Float.intBitsToFloat(src.getInt());
                case F16 -> Float.float16ToFloat(src.getShort());
                case BF16 -> Float.intBitsToFloat((src.getShort() & 0xffff) << 16);
                default -> throw new IllegalArgumentException("not a double source: " + type);
            };
        }
        return n;
    }

    /** As {@link #toFloats} for a {@code long[]}; unsigned types are zero-extended. */
    static int toLongs(DType type, ByteBuffer src, long[] dst, int at) {
        int n = src.remaining() / type.byteSize();
        for (int i = 0; i < n; i++) {
            dst[at + i] = switch (type) {
                case I64 -> src.getLong();
                case I32 -> src.getInt();
                case I16 -> src.getShort();
                case I8 -> src.get();
                case U32 -> src.getInt() & 0xffff_ffffL;
                case U16 -> src.getShort() & 0xffffL;
                case U8 -> src.get() & 0xffL;
                default -> throw new IllegalArgumentException("not a long source: " + type);
            };
        }
        return n;
    }
}
