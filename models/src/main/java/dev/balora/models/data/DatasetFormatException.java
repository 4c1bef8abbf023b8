package dev.balora.models.data;

/**
 * A dataset file that cannot be read as a text-classification dataset: a missing column, an empty text, a
 * malformed quote, bad JSON, a value of the wrong type, an unknown label, an over-long field or line, or no
 * examples at all.
 *
 * <p>The message always names the source (a file path or a classpath resource), the 1-based line where the
 * offending record starts (0 when the problem concerns the whole source), the column or field when there is
 * one, and the problem: {@code food-reviews-train.tsv:12: column 'text': empty text}.
 */
public final class DatasetFormatException extends RuntimeException {
    private final String source;
    private final long line;
    private final String field;
    private final String problem;

    /**
     * @param source  file path or resource name the data came from
     * @param line    1-based line number where the offending record starts, or 0 for the whole source
     * @param field   column or JSON field name, or {@code null} when the problem is not about one field
     * @param problem what is wrong, with expected and actual values where there are any
     */
    public DatasetFormatException(String source, long line, String field, String problem) {
        this(source, line, field, problem, null);
    }

    /** As {@link #DatasetFormatException(String, long, String, String)}, keeping the underlying cause. */
    public DatasetFormatException(String source, long line, String field, String problem, Throwable cause) {
        super(format(source, line, field, problem), cause);
        this.source = source;
        this.line = line;
        this.field = field;
        this.problem = problem;
    }

    private static String format(String source, long line, String field, String problem) {
        StringBuilder sb = new StringBuilder(source);
        if (line > 0) {
            sb.append(':').append(line);
        }
        sb.append(": ");
        if (field != null) {
            sb.append("field '").append(field).append("': ");
        }
        return sb.append(problem).toString();
    }

    /** The file path or resource name the data came from. */
    public String source() {
        return source;
    }

    /** The 1-based line where the offending record starts; 0 when the problem concerns the whole source. */
    public long line() {
        return line;
    }

    /** The column or JSON field at fault, or {@code null}. */
    public String field() {
        return field;
    }

    /** The problem alone, without source, line and field. */
    public String problem() {
        return problem;
    }
}
