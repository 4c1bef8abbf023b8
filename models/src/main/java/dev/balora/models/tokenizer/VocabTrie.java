package dev.balora.models.tokenizer;

import java.util.Arrays;

/**
 * A character trie over vocabulary strings, for greedy longest-prefix matching without building substrings.
 *
 * <p>Nodes are ints; node 0 is the root. The edges live in one open-addressing hash table keyed by
 * {@code (node << 16) | char} (UTF-16 units), so a step is one multiply and usually one probe. For the MiniLM
 * vocabulary (30,522 strings, 197,687 chars) that is about 100k edges in a 256k-slot table (3 MiB).
 */
final class VocabTrie {
    private static final long EMPTY = -1L;

    private long[] keys;
    private int[] children;
    private int mask;
    private int edgeCount;
    private int[] values = new int[64];
    private int nodeCount = 1;

    VocabTrie(int expectedChars) {
        int capacity = Integer.highestOneBit(Math.max(16, expectedChars) * 2 - 1) << 1;
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        children = new int[capacity];
        mask = capacity - 1;
        Arrays.fill(values, -1);
    }

    /** Root node: the state before any character. */
    static int root() {
        return 0;
    }

    /** Stores {@code value} (≥ 0) for {@code word}; a later put for the same word replaces it. */
    void put(String word, int value) {
        int node = 0;
        for (int i = 0; i < word.length(); i++) {
            int next = child(node, word.charAt(i));
            if (next < 0) {
                next = addChild(node, word.charAt(i));
            }
            node = next;
        }
        values[node] = value;
    }

    /** The node reached from {@code node} by {@code c}, or -1. */
    int child(int node, char c) {
        long key = ((long) node << 16) | c;
        int slot = hash(key) & mask;
        while (true) {
            long k = keys[slot];
            if (k == key) {
                return children[slot];
            }
            if (k == EMPTY) {
                return -1;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** The node reached from {@code node} along all of {@code s}, or -1. */
    int walk(int node, String s) {
        for (int i = 0; i < s.length() && node >= 0; i++) {
            node = child(node, s.charAt(i));
        }
        return node;
    }

    /** The value stored at {@code node}, or -1 when no word ends there. */
    int value(int node) {
        return values[node];
    }

    private int addChild(int node, char c) {
        if ((edgeCount + 1) * 2 > keys.length) {
            grow();
        }
        int created = nodeCount++;
        if (created == values.length) {
            int old = values.length;
            values = Arrays.copyOf(values, old * 2);
            Arrays.fill(values, old, values.length, -1);
        }
        insert(((long) node << 16) | c, created);
        edgeCount++;
        return created;
    }

    private void insert(long key, int child) {
        int slot = hash(key) & mask;
        while (keys[slot] != EMPTY) {
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        children[slot] = child;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldChildren = children;
        keys = new long[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        children = new int[oldKeys.length * 2];
        mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                insert(oldKeys[i], oldChildren[i]);
            }
        }
    }

    /** MurmurHash3's 64-bit finalizer: keys differ mostly in their low 16 bits, which linear probing needs spread. */
    private static int hash(long key) {
        long h = key ^ (key >>> 33);
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (int) h;
    }
}
