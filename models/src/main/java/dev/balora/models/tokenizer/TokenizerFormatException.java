package dev.balora.models.tokenizer;

/**
 * A {@code tokenizer.json} that this package cannot honour: malformed JSON, a missing or mistyped field, or a
 * component (model, normalizer, pre-tokenizer, post-processor…) other than the BERT WordPiece family.
 *
 * <p>The message always names the source file and the JSON field (as a dotted path such as
 * {@code model.vocab["hello"]}), what was expected and what was found.
 */
public final class TokenizerFormatException extends RuntimeException {
    private final String source;
    private final String field;

    /**
     * @param source the file or resource the JSON came from
     * @param field  dotted JSON path of the offending field ({@code "<root>"} for the document itself)
     * @param detail what was expected and what was found
     */
    public TokenizerFormatException(String source, String field, String detail) {
        this(source, field, detail, null);
    }

    /** As {@link #TokenizerFormatException(String, String, String)}, keeping the parser's exception as cause. */
    public TokenizerFormatException(String source, String field, String detail, Throwable cause) {
        super(source + ": field '" + field + "': " + detail, cause);
        this.source = source;
        this.field = field;
    }

    /** The file or resource name the JSON came from. */
    public String source() {
        return source;
    }

    /** Dotted JSON path of the offending field. */
    public String field() {
        return field;
    }
}
