package dev.balora.models.onnx;

/**
 * An ONNX file that this reader cannot accept: malformed protobuf wire data, a value outside the bounds the
 * reader enforces, a feature it refuses (external data), or a graph that does not have the structure a mapper
 * expects. The message always names the source (file or resource), the field path inside the model
 * (for example {@code graph.initializer[17].raw_data}) and the problem.
 */
public final class OnnxFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String fieldPath;
    private final String problem;

    /**
     * @param source    the file or resource the model came from
     * @param fieldPath the dotted path of the offending field, {@code "<model>"} for the whole file
     * @param problem   what is wrong, with expected and actual values where they exist
     */
    public OnnxFormatException(String source, String fieldPath, String problem) {
        this(source, fieldPath, problem, null);
    }

    /** As {@link #OnnxFormatException(String, String, String)}, keeping the low-level cause. */
    public OnnxFormatException(String source, String fieldPath, String problem, Throwable cause) {
        super(source + ": " + fieldPath + ": " + problem, cause);
        this.source = source;
        this.fieldPath = fieldPath;
        this.problem = problem;
    }

    /** @return the file or resource the model came from */
    public String source() {
        return source;
    }

    /** @return the dotted field path, e.g. {@code graph.initializer[17].raw_data} */
    public String fieldPath() {
        return fieldPath;
    }

    /** @return the problem without the source and path prefix */
    public String problem() {
        return problem;
    }
}
