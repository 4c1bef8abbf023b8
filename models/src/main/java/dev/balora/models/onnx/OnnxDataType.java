package dev.balora.models.onnx;

/**
 * The element types of {@code TensorProto.data_type} (onnx.proto, enum {@code TensorProto.DataType}) with the
 * width of one element in {@code raw_data}. Only {@link #FLOAT} and {@link #INT64} are decoded into arrays;
 * the other types are recognised so that their {@code raw_data} length can be checked and the tensor kept
 * as shape-only metadata.
 */
public enum OnnxDataType {
    UNDEFINED(0, -1),
    FLOAT(1, 32),
    UINT8(2, 8),
    INT8(3, 8),
    UINT16(4, 16),
    INT16(5, 16),
    INT32(6, 32),
    INT64(7, 64),
    /** Strings live in {@code string_data}, never in {@code raw_data}. */
    STRING(8, -1),
    BOOL(9, 8),
    FLOAT16(10, 16),
    DOUBLE(11, 64),
    UINT32(12, 32),
    UINT64(13, 64),
    COMPLEX64(14, 64),
    COMPLEX128(15, 128),
    BFLOAT16(16, 16),
    FLOAT8E4M3FN(17, 8),
    FLOAT8E4M3FNUZ(18, 8),
    FLOAT8E5M2(19, 8),
    FLOAT8E5M2FNUZ(20, 8),
    UINT4(21, 4),
    INT4(22, 4),
    FLOAT4E2M1(23, 4);

    private static final OnnxDataType[] BY_CODE = values();

    private final int code;
    private final int bits;

    OnnxDataType(int code, int bits) {
        this.code = code;
        this.bits = bits;
    }

    /** @return the numeric value used in {@code TensorProto.data_type} */
    public int code() {
        return code;
    }

    /**
     * @return bits per element in {@code raw_data}; -1 when the type has no fixed-width raw encoding
     */
    public int bits() {
        return bits;
    }

    /**
     * The exact {@code raw_data} length in bytes for {@code elements} elements (4-bit types pack two per byte).
     *
     * @return the byte count, or -1 when this type cannot be stored in {@code raw_data}
     */
    public long rawBytes(long elements) {
        if (bits < 0) {
            return -1;
        }
        // elements <= Integer.MAX_VALUE is enforced by the reader before this is called, so no overflow.
        return (elements * bits + 7) / 8;
    }

    /** @return the data type with that code, or {@code null} for an unknown code */
    public static OnnxDataType ofCode(long code) {
        if (code < 0 || code >= BY_CODE.length) {
            return null;
        }
        return BY_CODE[(int) code];
    }
}
