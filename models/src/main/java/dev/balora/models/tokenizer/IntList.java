package dev.balora.models.tokenizer;

import java.util.Arrays;

/** A growable {@code int} array: the token ids of one sequence while it is being built, without boxing. */
final class IntList {
    private int[] data;
    private int size;

    IntList(int capacity) {
        data = new int[Math.max(4, capacity)];
    }

    void add(int value) {
        if (size == data.length) {
            data = Arrays.copyOf(data, data.length * 2);
        }
        data[size++] = value;
    }

    int size() {
        return size;
    }

    int get(int index) {
        return data[index];
    }

    /** Drops everything from {@code newSize} on: used to undo the pieces of a word that turned out unknown. */
    void truncate(int newSize) {
        size = newSize;
    }

    int[] toArray() {
        return Arrays.copyOf(data, size);
    }
}
