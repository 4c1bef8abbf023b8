package dev.balora.core.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates the JSON header of a safetensors file.
 *
 * <p>The header is read with a streaming parser, not a tree: every value is checked as it arrives, so the
 * memory spent on a hostile header is bounded by what has already passed validation (at most
 * {@link #MAX_RANK} dimensions per entry, nesting at most {@link #MAX_DEPTH} deep), not by whatever the
 * JSON describes.
 */
final class SafetensorsHeader {
    /** Largest header accepted; real headers are kilobytes, this only bounds the allocation. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    /** Most dimensions one tensor may have; NumPy's own limit, and it bounds memory per entry. */
    static final int MAX_RANK = 64;
    /** A valid header nests three deep (object, entry, array); the slack admits ignored unknown fields. */
    static final int MAX_DEPTH = 16;
    static final String METADATA_KEY = "__metadata__";

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();

    /** What a valid header holds: tensors in file order (by begin offset, then name) and the metadata. */
    record Parsed(List<TensorInfo> tensors, Map<String, String> metadata) {}

    private final Path file;
    private final long bufferLength;
    private final JsonParser parser;

    private SafetensorsHeader(Path file, long bufferLength, JsonParser parser) {
        this.file = file;
        this.bufferLength = bufferLength;
        this.parser = parser;
    }

    /**
     * @param file the file, for messages
     * @param header the header bytes (without the 8-byte length prefix)
     * @param bufferLength bytes in the data buffer after the header
     * @return the validated tensors and metadata
     * @throws SafetensorsFormatException for any violation of the format
     */
    static Parsed parse(Path file, byte[] header, long bufferLength) throws SafetensorsFormatException {
        if (header.length == 0 || header[0] != '{') {
            throw new SafetensorsFormatException(file, "header", "a JSON object starting with '{'",
                    header.length == 0 ? "an empty header" : "first byte 0x" + Integer.toHexString(header[0] & 0xff));
        }
        checkUtf8(file, header);
        try (JsonParser p = JSON.createParser(header)) {
            return new SafetensorsHeader(file, bufferLength, p).parseObject();
        } catch (SafetensorsFormatException e) {
            throw e;
        } catch (JacksonException e) {
            long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
            throw new SafetensorsFormatException(file, "header JSON" + (at >= 0 ? " at byte " + at : ""),
                    "well-formed JSON", String.valueOf(e.getOriginalMessage()), e);
        } catch (IOException e) {
            // A parser over a byte array does no real I/O; anything else it throws is still a parse failure.
            throw new SafetensorsFormatException(file, "header JSON", "well-formed JSON", e.toString(), e);
        }
    }

    /** Strict UTF-8 (no overlong forms, no surrogates), checked in bounded chunks before any parsing. */
    private static void checkUtf8(Path file, byte[] header) throws SafetensorsFormatException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(header);
        CharBuffer out = CharBuffer.allocate(4096);
        while (true) {
            CoderResult r = decoder.decode(in, out, true);
            if (r.isError()) {
                throw new SafetensorsFormatException(file, "header at byte " + in.position(), "valid UTF-8",
                        r.length() + " malformed byte(s) starting 0x" + Integer.toHexString(header[in.position()] & 0xff));
            }
            out.clear();
            if (r.isUnderflow()) {
                break;
            }
        }
        CoderResult r = decoder.flush(out);
        if (r.isError()) {
            throw new SafetensorsFormatException(file, "header end", "valid UTF-8", "a truncated character");
        }
    }

    private Parsed parseObject() throws IOException {
        JsonToken first = parser.nextToken();
        if (first != JsonToken.START_OBJECT) {
            throw unexpected("header", "a JSON object", first);
        }
        Map<String, String> metadata = Map.of();
        List<TensorInfo> tensors = new ArrayList<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            parser.nextToken();
            if (METADATA_KEY.equals(key)) {
                metadata = parseMetadata();
            } else {
                tensors.add(parseTensor(key));
            }
        }
        // The loop ends at END_OBJECT: the parser itself rejects anything else inside an object.
        JsonToken trailing = parser.nextToken();
        if (trailing != null) {
            throw unexpected("header after the top-level object", "only space padding", trailing);
        }
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end)
                .thenComparing(TensorInfo::name));
        checkLayout(tensors);
        return new Parsed(Collections.unmodifiableList(tensors), metadata);
    }

    private Map<String, String> parseMetadata() throws IOException {
        String where = "header field " + METADATA_KEY;
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw unexpected(where, "an object of string values", parser.currentToken());
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value != JsonToken.VALUE_STRING) {
                throw unexpected(where + " key " + quote(key), "a string value", value);
            }
            metadata.put(key, parser.getText());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private TensorInfo parseTensor(String name) throws IOException {
        String where = "tensor " + quote(name);
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw unexpected(where, "an object with dtype, shape and data_offsets", parser.currentToken());
        }
        DType dtype = null;
        long[] shape = null;
        long[] offsets = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            switch (field) {
                case "dtype" -> dtype = parseDtype(where + " field dtype");
                case "shape" -> shape = parseNaturals(where + " field shape", 0, MAX_RANK);
                case "data_offsets" -> offsets = parseNaturals(where + " field data_offsets", 2, 2);
                default -> parser.skipChildren(); // Unknown fields are ignored, as the reference reader does.
            }
        }
        if (dtype == null || shape == null || offsets == null) {
            String missing = dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets";
            throw new SafetensorsFormatException(file, where, "a field " + missing, "none");
        }
        return checkedInfo(name, where, dtype, shape, offsets[0], offsets[1]);
    }

    private DType parseDtype(String where) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw unexpected(where, "a dtype string", parser.currentToken());
        }
        String text = parser.getText();
        return DType.fromHeaderName(text).orElseThrow(() -> new SafetensorsFormatException(file, where,
                "one of " + Arrays.toString(DType.values()), quote(text)));
    }

    /** An array of {@code minLength..maxLength} integers in {@code [0, Long.MAX_VALUE]}. */
    private long[] parseNaturals(String where, int minLength, int maxLength) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw unexpected(where, "an array of non-negative integers", parser.currentToken());
        }
        long[] values = new long[maxLength];
        int n = 0;
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (n == maxLength) {
                throw new SafetensorsFormatException(file, where, "at most " + maxLength + " entries", "more");
            }
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw unexpected(where + "[" + n + "]", "a non-negative integer", t);
            }
            if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new SafetensorsFormatException(file, where + "[" + n + "]",
                        "an integer at most " + Long.MAX_VALUE, abbreviate(parser.getText()));
            }
            long v = parser.getLongValue();
            if (v < 0) {
                throw new SafetensorsFormatException(file, where + "[" + n + "]", "a non-negative integer", Long.toString(v));
            }
            values[n++] = v;
        }
        if (n < minLength) {
            throw new SafetensorsFormatException(file, where, minLength + " entries", n + " entries");
        }
        return Arrays.copyOf(values, n);
    }

    private TensorInfo checkedInfo(String name, String where, DType dtype, long[] shape, long begin, long end)
            throws SafetensorsFormatException {
        long bytes;
        try {
            bytes = Math.multiplyExact(TensorInfo.elementCount(shape), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new SafetensorsFormatException(file, where + " field shape",
                    "a byte count at most " + Long.MAX_VALUE, "shape " + Arrays.toString(shape) + " of " + dtype
                    + " overflows it");
        }
        String range = "[" + begin + ", " + end + "]";
        if (begin > end) {
            throw new SafetensorsFormatException(file, where + " field data_offsets", "begin <= end", range);
        }
        if (end > bufferLength) {
            throw new SafetensorsFormatException(file, where + " field data_offsets",
                    "end <= data buffer length " + bufferLength, range);
        }
        if (end - begin != bytes) {
            throw new SafetensorsFormatException(file, where + " field data_offsets",
                    "end - begin = " + bytes + " bytes (shape " + Arrays.toString(shape) + " of " + dtype + ")",
                    (end - begin) + " bytes " + range);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /**
     * The data buffer is exactly the tensors' bytes, back to back (as the Hugging Face reference validates it): no
     * overlap, no gap and nothing after the last tensor, so that bytes inserted into or cut from a file never
     * shift tensors silently. {@code sorted} is ordered by begin offset; empty tensors own no bytes.
     */
    private void checkLayout(List<TensorInfo> sorted) throws SafetensorsFormatException {
        TensorInfo previous = null;
        long covered = 0;
        for (TensorInfo t : sorted) {
            if (t.byteLength() == 0) {
                continue;
            }
            if (previous != null && t.begin() < previous.end()) {
                throw new SafetensorsFormatException(file, "tensor " + quote(t.name()) + " field data_offsets",
                        "a byte range disjoint from tensor " + quote(previous.name()) + " [" + previous.begin()
                        + ", " + previous.end() + "]", "[" + t.begin() + ", " + t.end() + "]");
            }
            if (t.begin() != covered) {
                throw new SafetensorsFormatException(file, "tensor " + quote(t.name()) + " field data_offsets",
                        "begin = " + covered + (previous == null ? " (the start of the data buffer)"
                                : " (the end of tensor " + quote(previous.name()) + "): no gap between tensors"),
                        "[" + t.begin() + ", " + t.end() + "]");
            }
            covered = t.end();
            previous = t;
        }
        if (covered != bufferLength) {
            throw new SafetensorsFormatException(file, "data buffer",
                    covered + " bytes, as the header's tensors cover"
                            + (previous == null ? "" : " (the last is " + quote(previous.name()) + ")"),
                    bufferLength + " bytes (" + (bufferLength - covered) + " unaccounted for after the last tensor)");
        }
    }

    private SafetensorsFormatException unexpected(String where, String expected, JsonToken found) throws IOException {
        String actual = found == null ? "end of header"
                : found.isScalarValue() ? found.name().toLowerCase(java.util.Locale.ROOT) + " " + abbreviate(parser.getText())
                : found.name().toLowerCase(java.util.Locale.ROOT);
        long at = parser.currentTokenLocation().getByteOffset();
        return new SafetensorsFormatException(file, where + (at >= 0 ? " (header byte " + at + ")" : ""), expected, actual);
    }

    /** Quotes a name for a message, cut short so that a hostile multi-megabyte key cannot flood logs. */
    static String quote(String s) {
        return "'" + abbreviate(s) + "'";
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...(" + s.length() + " chars)";
    }
}
