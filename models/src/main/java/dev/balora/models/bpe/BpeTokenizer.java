package dev.balora.models.bpe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level BPE tokenizer in the GPT-2 style, as described by a Hugging Face {@code tokenizer.json}: added
 * tokens are cut out first; the rest is split by {@link Gpt2PreTokenizer} (optionally after a prefix space), each
 * piece is written in {@link ByteLevel} characters and merged by the {@link BpeModel}. Decoding maps the tokens'
 * characters back to bytes and reads them as UTF-8 (invalid sequences become U+FFFD), so for any text
 * {@code decode(encode(x)).equals(x)} (without a prefix space).
 *
 * <p>Load with {@link BpeTokenizerJson#read}, learn one with {@link BpeTrainer}, save with {@link #save}.
 * Instances are safe to share between threads.
 */
public final class BpeTokenizer {
    private final BpeModel model;
    private final List<AddedToken> added;
    private final Map<Integer, AddedToken> addedById = new HashMap<>();
    private final boolean addPrefixSpace;

    /**
     * @param model          the vocabulary and merges
     * @param added          tokens matched verbatim before BPE (their ids may lie inside or after the BPE vocabulary)
     * @param addPrefixSpace whether a space is put before text that does not start with one (GPT-2: false)
     */
    public BpeTokenizer(BpeModel model, List<AddedToken> added, boolean addPrefixSpace) {
        this.model = model;
        this.added = List.copyOf(added);
        for (AddedToken t : this.added) {
            addedById.put(t.id(), t);
        }
        this.addPrefixSpace = addPrefixSpace;
    }

    /** Reads a Hugging Face tokenizer.json (see {@link BpeTokenizerJson}). */
    public static BpeTokenizer load(Path tokenizerJson) throws IOException {
        return BpeTokenizerJson.read(tokenizerJson);
    }

    /** Writes this tokenizer as a Hugging Face tokenizer.json (atomically). */
    public void save(Path tokenizerJson) throws IOException {
        BpeTokenizerJson.write(this, tokenizerJson);
    }

    /** @return the vocabulary and merges */
    public BpeModel model() {
        return model;
    }

    /** @return the added tokens */
    public List<AddedToken> addedTokens() {
        return added;
    }

    /** @return whether a prefix space is added */
    public boolean addPrefixSpace() {
        return addPrefixSpace;
    }

    /** @return the number of ids: one more than the largest id of the BPE vocabulary and the added tokens */
    public int vocabSize() {
        int size = model.size();
        for (AddedToken t : added) {
            size = Math.max(size, t.id() + 1);
        }
        return size;
    }

    /** @return the id of a token (an added token's content or a BPE token in byte-level characters), or −1 */
    public int tokenToId(String token) {
        for (AddedToken t : added) {
            if (t.content().equals(token)) {
                return t.id();
            }
        }
        return model.id(token);
    }

    /** @return the token with this id (an added token's content, or a BPE token in byte-level characters) */
    public String idToToken(int id) {
        AddedToken t = addedById.get(id);
        if (t != null) {
            return t.content();
        }
        if (id < 0 || id >= model.size()) {
            throw new IllegalArgumentException("BpeTokenizer: id " + id + " outside [0, " + vocabSize() + ")");
        }
        return model.token(id);
    }

    /** @return the token ids of {@code text} (no special tokens are added) */
    public int[] encode(String text) {
        IntBuffer out = new IntBuffer(text.length() / 3 + 4);
        int start = 0;
        while (start < text.length()) {
            int bestAt = text.length();
            AddedToken best = null;
            for (AddedToken t : added) {
                int at = text.indexOf(t.content(), start);
                if (at >= 0 && (at < bestAt || at == bestAt && best != null && t.content().length() > best.content().length())) {
                    bestAt = at;
                    best = t;
                }
            }
            encodeOrdinary(text.substring(start, bestAt), start == 0, out);
            if (best == null) {
                break;
            }
            out.add(best.id());
            start = bestAt + best.content().length();
        }
        return out.toArray();
    }

    private void encodeOrdinary(String text, boolean atStart, IntBuffer out) {
        if (text.isEmpty()) {
            return;
        }
        String t = addPrefixSpace && atStart && !text.startsWith(" ") ? " " + text : text;
        Gpt2PreTokenizer.forEachPiece(t, piece -> {
            for (int id : model.encodePiece(ByteLevel.encode(piece))) {
                out.add(id);
            }
        });
    }

    /** @return the text of {@code ids}, added tokens included */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * @param ids          token ids
     * @param skipSpecial  whether special added tokens are left out
     * @return the text
     */
    public String decode(int[] ids, boolean skipSpecial) {
        StringBuilder sb = new StringBuilder();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            AddedToken t = addedById.get(id);
            if (t != null) {
                flush(bytes, sb);
                if (!(skipSpecial && t.special())) {
                    sb.append(t.content());
                }
            } else {
                ByteLevel.decodeInto(idToToken(id), bytes);
            }
        }
        flush(bytes, sb);
        return sb.toString();
    }

    private static void flush(ByteArrayOutputStream bytes, StringBuilder sb) {
        if (bytes.size() > 0) {
            sb.append(new String(bytes.toByteArray(), StandardCharsets.UTF_8));
            bytes.reset();
        }
    }

    /** A growable int array. */
    private static final class IntBuffer {
        private int[] data;
        private int size;

        IntBuffer(int capacity) {
            data = new int[Math.max(capacity, 4)];
        }

        void add(int v) {
            if (size == data.length) {
                data = java.util.Arrays.copyOf(data, data.length * 2);
            }
            data[size++] = v;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(data, size);
        }
    }
}
