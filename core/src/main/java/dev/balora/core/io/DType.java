package dev.balora.core.io;

import java.util.Optional;

/**
 * The element types a safetensors header may name, spelled exactly as in the header's {@code dtype} field.
 *
 * <p>All are stored little-endian. The sub-byte and exotic types some newer writers emit ({@code F4},
 * {@code F6_*}, {@code F8_E8M0}, complex types) are not listed: a file using them is rejected when opened,
 * because their byte sizes do not follow {@code elements × size}.
 */
public enum DType {
    BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1),
    I16(2), U16(2), F16(2), BF16(2),
    I32(4), U32(4), F32(4),
    I64(8), U64(8), F64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** @return bytes one element occupies in the file */
    public int byteSize() {
        return byteSize;
    }

    /**
     * @param headerName the {@code dtype} string of a header entry, case-sensitive as in the format
     * @return the matching type, or empty when the name is not one of this enum's constants
     */
    public static Optional<DType> fromHeaderName(String headerName) {
        for (DType t : values()) {
            if (t.name().equals(headerName)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
