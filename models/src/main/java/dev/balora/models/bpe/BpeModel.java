package dev.balora.models.bpe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A BPE vocabulary and its ranked merges, applied to one pre-tokenized piece at a time. The piece (in byte-level
 * characters) starts as single characters; the adjacent pair with the lowest merge rank is merged everywhere in the
 * piece, left to right, until no pair has a merge. With {@code ignoreMerges} (Hugging Face's flag), a piece that is
 * itself a token is taken whole.
 */
public final class BpeModel {
    private final Map<String, Integer> vocab;
    private final String[] tokens;
    private final List<String[]> merges;
    private final Map<Long, Integer> rank = new HashMap<>();
    private final int[] mergedId;
    private final boolean ignoreMerges;
    private final Map<String, int[]> cache = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param vocab        token → id (ids dense from 0; a gap or duplicate is rejected)
     * @param merges       pairs in rank order; both parts and their concatenation must be tokens
     * @param ignoreMerges whether a piece that is a token skips the merges
     * @throws IllegalArgumentException naming the offending token or merge
     */
    public BpeModel(Map<String, Integer> vocab, List<String[]> merges, boolean ignoreMerges) {
        this.vocab = Map.copyOf(vocab);
        this.tokens = new String[vocab.size()];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            int id = e.getValue();
            if (id < 0 || id >= tokens.length || tokens[id] != null) {
                throw new IllegalArgumentException("vocab: id " + id + " of '" + e.getKey() + "' is a duplicate or outside [0, "
                        + tokens.length + ")");
            }
            tokens[id] = e.getKey();
        }
        this.merges = List.copyOf(merges);
        this.mergedId = new int[merges.size()];
        for (int r = 0; r < merges.size(); r++) {
            String[] m = merges.get(r);
            Integer a = vocab.get(m[0]);
            Integer b = vocab.get(m[1]);
            Integer ab = vocab.get(m[0] + m[1]);
            if (a == null || b == null || ab == null) {
                throw new IllegalArgumentException("merges[" + r + "] '" + m[0] + " " + m[1] + "': "
                        + (a == null ? m[0] : b == null ? m[1] : m[0] + m[1]) + " is not in the vocabulary");
            }
            rank.putIfAbsent(key(a, b), r);
            mergedId[r] = ab;
        }
        this.ignoreMerges = ignoreMerges;
    }

    private static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    /** @return the number of tokens */
    public int size() {
        return tokens.length;
    }

    /** @return the id of {@code token}, or −1 */
    public int id(String token) {
        Integer id = vocab.get(token);
        return id == null ? -1 : id;
    }

    /** @return the token with id {@code id} */
    public String token(int id) {
        return tokens[id];
    }

    /** @return the merges in rank order (pairs of tokens) */
    public List<String[]> merges() {
        return merges;
    }

    /** @return whether a piece that is a token skips the merges */
    public boolean ignoreMerges() {
        return ignoreMerges;
    }

    /**
     * @param piece one pre-tokenized piece in byte-level characters
     * @return its token ids
     * @throws IllegalArgumentException when a character of the piece is not a token
     */
    public int[] encodePiece(String piece) {
        int[] cached = cache.get(piece);
        if (cached != null) {
            return cached;
        }
        int[] ids = merge(piece);
        // The cache only serves repeated words; keep it from growing without bound on endless text.
        if (cache.size() > 200_000) {
            cache.clear();
        }
        cache.put(piece, ids);
        return ids;
    }

    private int[] merge(String piece) {
        if (ignoreMerges) {
            Integer whole = vocab.get(piece);
            if (whole != null) {
                return new int[] {whole};
            }
        }
        int n = piece.length();
        int[] sym = new int[n];
        for (int i = 0; i < n; i++) {
            Integer id = vocab.get(String.valueOf(piece.charAt(i)));
            if (id == null) {
                throw new IllegalArgumentException("BPE: character U+" + Integer.toHexString(piece.charAt(i))
                        + " of piece '" + piece + "' is not in the vocabulary");
            }
            sym[i] = id;
        }
        while (n > 1) {
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                Integer r = rank.get(key(sym[i], sym[i + 1]));
                if (r != null && r < bestRank) {
                    bestRank = r;
                }
            }
            if (bestRank == Integer.MAX_VALUE) {
                break;
            }
            String[] m = merges.get(bestRank);
            int a = vocab.get(m[0]);
            int b = vocab.get(m[1]);
            int w = 0;
            for (int i = 0; i < n; i++) {
                if (i + 1 < n && sym[i] == a && sym[i + 1] == b) {
                    sym[w++] = mergedId[bestRank];
                    i++;
                } else {
                    sym[w++] = sym[i];
                }
            }
            n = w;
        }
        return java.util.Arrays.copyOf(sym, n);
    }

    /** @return the tokens in id order */
    public List<String> tokens() {
        return new ArrayList<>(List.of(tokens));
    }
}
