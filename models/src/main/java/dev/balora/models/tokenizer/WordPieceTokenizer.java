package dev.balora.models.tokenizer;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * BERT's WordPiece tokenizer as Hugging Face {@code tokenizers} runs it from a {@code tokenizer.json}: added
 * (special) tokens matched in the raw text, {@link BertNormalizer}, BERT pre-tokenization (whitespace and
 * punctuation), greedy longest-match-first WordPiece with a continuing-subword prefix, and a template that adds
 * {@code [CLS]}/{@code [SEP]} and token type ids. Built by {@link TokenizerJsonReader}; immutable and safe to
 * share between threads.
 *
 * <p>Ids are identical to Hugging Face's on the test corpus (600 food reviews and hand-written hard cases,
 * checked against the Rust implementation through DJL). Truncation ({@code LongestFirst}, keeping the special
 * tokens) happens only when a method takes a {@code maxLength}; the {@code truncation} and {@code padding}
 * sections of the file are available as {@link #fileTruncation()} and {@link #filePadding()} for callers that
 * want the file's defaults.
 *
 * <p>Throughput, measured by {@code WordPieceThroughput} (test sources) with
 * {@link #encodeBatch(List, int, boolean)} at {@code maxLength = 128}, on all 5,000 food reviews, one thread,
 * JDK 25, batches of 64, best of ten passes after five warm-up passes, on the 2-core development container
 * while it ran a load average of about 17 (so an idle core does several times better): 11,000 sentences/s and
 * 845,000 tokens/s (382,391 real tokens after truncation; the texts hold 500,573 untruncated, all of which are
 * tokenized before truncation).
 */
public final class WordPieceTokenizer {
    private final String source;
    private final BertNormalizer normalizer;
    private final WordPieceModel model;
    private final AddedTokenMatcher rawAddedTokens;
    private final AddedTokenMatcher normalizedAddedTokens;
    private final PostProcessorTemplate template;
    private final String[] idToToken;
    private final boolean[] special;
    private final int unkId;
    private final int padId;
    private final int padTypeId;
    private final String continuingPrefix;
    private final boolean decodeCleanup;
    private final java.util.Map<String, Integer> tokenToId;
    private final TruncationSettings truncation;
    private final PaddingSettings padding;

    /** Everything the reader has validated; package-private so that only the reader builds tokenizers. */
    record Parts(String source, BertNormalizer normalizer, java.util.Map<String, Integer> vocab, int unkId,
                 String continuingPrefix, int maxInputCharsPerWord, List<AddedToken> addedTokens,
                 PostProcessorTemplate template, TruncationSettings truncation, PaddingSettings padding,
                 boolean decodeCleanup) {
    }

    WordPieceTokenizer(Parts parts) {
        this.source = parts.source();
        this.normalizer = parts.normalizer();
        this.model = new WordPieceModel(parts.vocab(), parts.unkId(), parts.continuingPrefix(),
                parts.maxInputCharsPerWord());
        this.template = parts.template();
        this.unkId = parts.unkId();
        this.continuingPrefix = parts.continuingPrefix();
        this.decodeCleanup = parts.decodeCleanup();
        this.truncation = parts.truncation();
        this.padding = parts.padding();
        this.tokenToId = new java.util.HashMap<>(parts.vocab());
        int size = 0;
        for (int id : parts.vocab().values()) {
            size = Math.max(size, id + 1);
        }
        for (AddedToken token : parts.addedTokens()) {
            size = Math.max(size, token.id() + 1);
        }
        this.idToToken = new String[size];
        this.special = new boolean[size];
        parts.vocab().forEach((token, id) -> idToToken[id] = token);
        List<AddedToken> raw = new java.util.ArrayList<>();
        List<AddedToken> normalized = new java.util.ArrayList<>();
        for (AddedToken token : parts.addedTokens()) {
            idToToken[token.id()] = token.content();
            special[token.id()] = token.special();
            tokenToId.putIfAbsent(token.content(), token.id());
            if (token.normalized() && normalizer != null) {
                String content = normalizer.normalize(token.content());
                if (!content.isEmpty()) {
                    normalized.add(new AddedToken(token.id(), content, token.special(), true));
                }
            } else {
                raw.add(token);
            }
        }
        this.rawAddedTokens = new AddedTokenMatcher(raw);
        this.normalizedAddedTokens = new AddedTokenMatcher(normalized);
        if (padding != null) {
            padId = padding.padId();
            padTypeId = padding.padTypeId();
        } else {
            padId = tokenToId.getOrDefault("[PAD]", 0);
            padTypeId = 0;
        }
    }

    /**
     * Encodes one text with special tokens, untruncated and unpadded.
     *
     * @param text any string, including empty, unpaired surrogates and control characters; never throws for it
     * @return ids, token type ids (all 0 for BERT) and attention mask (all 1), each of length {@code T}
     */
    public Encoding encode(String text) {
        return template.apply(tokenize(text), null);
    }

    /**
     * Encodes one text, truncated so that the result, special tokens included, has at most {@code maxLength}
     * tokens (the end of the text is dropped; {@code [SEP]} is kept).
     *
     * @throws IllegalArgumentException if {@code maxLength} is smaller than the number of special tokens
     */
    public Encoding encode(String text, int maxLength) {
        IntList ids = tokenize(text);
        int budget = budget(maxLength, false);
        if (ids.size() > budget) {
            ids.truncate(budget);
        }
        return template.apply(ids, null);
    }

    /** Encodes a pair ({@code [CLS] A [SEP] B [SEP]} for BERT, type ids 0 then 1), untruncated. */
    public Encoding encodePair(String first, String second) {
        return template.apply(tokenize(first), tokenize(second));
    }

    /**
     * Encodes a pair truncated to {@code maxLength} tokens in all, by Hugging Face's {@code LongestFirst} rule:
     * the shorter sequence keeps its tokens if it fits in half the budget, otherwise each gets half (the odd
     * token going to the second sequence when they tie, to the longer one otherwise).
     *
     * @throws IllegalArgumentException if {@code maxLength} is smaller than the number of special tokens
     */
    public Encoding encodePair(String first, String second, int maxLength) {
        IntList a = tokenize(first);
        IntList b = tokenize(second);
        truncatePair(a, b, budget(maxLength, true));
        return template.apply(a, b);
    }

    /**
     * Encodes texts into one padded batch.
     *
     * @param texts        {@code N} texts
     * @param maxLength    each row is truncated to this many tokens, special tokens included
     * @param padToLongest pad to the longest row ({@code T ≤ maxLength}) instead of to {@code maxLength}
     * @return ids, attention mask and token type ids, each {@code [N, T]} row-major
     * @throws IllegalArgumentException if {@code maxLength} is below the special-token count or {@code N·T}
     *                                  does not fit in an int array
     */
    public BatchEncoding encodeBatch(List<String> texts, int maxLength, boolean padToLongest) {
        Encoding[] rows = new Encoding[texts.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = encode(texts.get(i), maxLength);
        }
        return pad(rows, maxLength, padToLongest);
    }

    /**
     * Encodes pairs {@code (first[i], second[i])} into one padded batch; as
     * {@link #encodeBatch(List, int, boolean)} with {@link #encodePair(String, String, int)} per row.
     *
     * @throws IllegalArgumentException if the lists differ in size
     */
    public BatchEncoding encodePairBatch(List<String> first, List<String> second, int maxLength,
                                         boolean padToLongest) {
        if (first.size() != second.size()) {
            throw new IllegalArgumentException("pair batch: " + first.size() + " first texts but "
                    + second.size() + " second texts");
        }
        Encoding[] rows = new Encoding[first.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = encodePair(first.get(i), second.get(i), maxLength);
        }
        return pad(rows, maxLength, padToLongest);
    }

    /**
     * Best-effort inverse of encoding, as Hugging Face's WordPiece decoder does it: special tokens and unknown
     * ids are skipped, pieces starting with the prefix are glued to the previous token, others are separated by
     * a space, and (if the file's decoder asks for cleanup) spaces before punctuation and in English
     * contractions are removed. Lowercasing and accent stripping are of course not undone.
     */
    public String decode(int[] ids) {
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (int id : ids) {
            if (id < 0 || id >= idToToken.length || idToToken[id] == null || special[id]) {
                continue;
            }
            String token = idToToken[id];
            String piece;
            if (!first && !continuingPrefix.isEmpty() && token.startsWith(continuingPrefix)) {
                piece = token.substring(continuingPrefix.length());
            } else {
                piece = first ? token : " " + token;
            }
            out.append(decodeCleanup ? cleanup(piece) : piece);
            first = false;
        }
        return out.toString();
    }

    /** The tokens of {@code ids}, {@code null} for ids outside the vocabulary. */
    public String[] tokens(int[] ids) {
        String[] tokens = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            tokens[i] = ids[i] >= 0 && ids[i] < idToToken.length ? idToToken[ids[i]] : null;
        }
        return tokens;
    }

    /** The id of a vocabulary or added token. */
    public OptionalInt tokenToId(String token) {
        Integer id = tokenToId.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** One more than the largest id (30,522 for MiniLM): the number of rows of the embedding matrix. */
    public int vocabSize() {
        return idToToken.length;
    }

    /** Id of the unknown token. */
    public int unkId() {
        return unkId;
    }

    /** Id written at padding positions by the batch methods. */
    public int padId() {
        return padId;
    }

    /** The {@code truncation} section of the file, if it had one. */
    public Optional<TruncationSettings> fileTruncation() {
        return Optional.ofNullable(truncation);
    }

    /** The {@code padding} section of the file, if it had one. */
    public Optional<PaddingSettings> filePadding() {
        return Optional.ofNullable(padding);
    }

    /** The normalizer, or empty if the file has none. */
    public Optional<BertNormalizer> normalizer() {
        return Optional.ofNullable(normalizer);
    }

    /** The file or resource this tokenizer was read from. */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "WordPieceTokenizer[" + source + ", " + idToToken.length + " ids]";
    }

    // --- pipeline ---

    /** Token ids of one text without special tokens. */
    private IntList tokenize(String text) {
        IntList out = new IntList(text.length() / 4 + 4);
        BertPreTokenizer.WordSink words = (s, start, end) -> model.tokenize(s, start, end, out);
        AddedTokenMatcher.Sink normalizedPieces = new AddedTokenMatcher.Sink() {
            @Override
            public void text(String s, int start, int end) {
                BertPreTokenizer.split(s, start, end, words);
            }

            @Override
            public void token(int id) {
                out.add(id);
            }
        };
        rawAddedTokens.split(text, 0, text.length(), new AddedTokenMatcher.Sink() {
            @Override
            public void text(String s, int start, int end) {
                String normalized = normalizer == null ? s.substring(start, end) : normalizer.normalize(s, start, end);
                normalizedAddedTokens.split(normalized, 0, normalized.length(), normalizedPieces);
            }

            @Override
            public void token(int id) {
                out.add(id);
            }
        });
        return out;
    }

    private int budget(int maxLength, boolean pair) {
        int added = template.addedTokens(pair);
        if (maxLength < added) {
            throw new IllegalArgumentException("maxLength " + maxLength + " is smaller than the " + added
                    + " special tokens of a " + (pair ? "pair" : "single sequence") + " (" + source + ")");
        }
        return maxLength - added;
    }

    /** Hugging Face's {@code LongestFirst} for a pair, truncating at the right. */
    private static void truncatePair(IntList a, IntList b, int budget) {
        if (a.size() + b.size() <= budget) {
            return;
        }
        int shorter = Math.min(a.size(), b.size());
        int longer;
        if (shorter > budget) {
            longer = shorter;
        } else {
            longer = Math.max(shorter, budget - shorter);
        }
        if (shorter + longer > budget) {
            shorter = budget / 2;
            longer = shorter + budget % 2;
        }
        boolean firstIsLonger = a.size() > b.size();
        int keepA = firstIsLonger ? longer : shorter;
        int keepB = firstIsLonger ? shorter : longer;
        a.truncate(Math.min(a.size(), keepA));
        b.truncate(Math.min(b.size(), keepB));
    }

    private BatchEncoding pad(Encoding[] rows, int maxLength, boolean padToLongest) {
        int t = maxLength;
        if (padToLongest) {
            t = 0;
            for (Encoding row : rows) {
                t = Math.max(t, row.length());
            }
        }
        long cells = (long) rows.length * t;
        if (cells > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("batch of " + rows.length + " × " + t + " tokens is too large");
        }
        int[] ids = new int[(int) cells];
        int[] mask = new int[(int) cells];
        int[] types = new int[(int) cells];
        for (int r = 0; r < rows.length; r++) {
            Encoding row = rows[r];
            int base = r * t;
            int n = row.length();
            System.arraycopy(row.ids(), 0, ids, base, n);
            System.arraycopy(row.tokenTypeIds(), 0, types, base, n);
            java.util.Arrays.fill(mask, base, base + n, 1);
            java.util.Arrays.fill(ids, base + n, base + t, padId);
            java.util.Arrays.fill(types, base + n, base + t, padTypeId);
        }
        return new BatchEncoding(rows.length, t, ids, mask, types);
    }

    /** The clean-up of Hugging Face's WordPiece decoder, applied to each token as it is appended. */
    private static String cleanup(String s) {
        return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" do not", " don't")
                .replace(" 's", "'s").replace(" 've", "'ve").replace(" 're", "'re");
    }
}
