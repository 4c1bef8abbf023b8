package dev.balora.models.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Jane Austen's six completed novels (R package janeaustenr, MIT; public-domain text; see
 * {@code data/austen/README.md}), about 717k words: plain text for pre-training a small causal decoder.
 *
 * <p>Read from the models jar's classpath copy, from {@code -Dbalora.data.dir}, or from {@code data/} in a
 * source checkout (see {@link ShippedData} for the order).
 */
public final class Austen {
    /**
     * One novel.
     *
     * @param name  the file stem, e.g. {@code prideprejudice}
     * @param title the title, e.g. {@code Pride and Prejudice}
     * @param lines the source lines in order (Gutenberg line breaks; empty lines separate paragraphs)
     */
    public record Novel(String name, String title, List<String> lines) {
        public Novel {
            lines = List.copyOf(lines);
        }

        /** The lines joined with {@code \n}, with a final {@code \n}: the file's content. */
        public String text() {
            StringBuilder sb = new StringBuilder();
            for (String line : lines) {
                sb.append(line).append('\n');
            }
            return sb.toString();
        }
    }

    private static final String[][] NOVELS = {
        {"sensesensibility", "Sense and Sensibility"},
        {"prideprejudice", "Pride and Prejudice"},
        {"mansfieldpark", "Mansfield Park"},
        {"emma", "Emma"},
        {"northangerabbey", "Northanger Abbey"},
        {"persuasion", "Persuasion"},
    };

    private Austen() {}

    /** The six novels in publication order (as janeaustenr lists them). */
    public static List<Novel> novels() {
        List<Novel> novels = new ArrayList<>(NOVELS.length);
        for (String[] n : NOVELS) {
            novels.add(load(n[0], n[1]));
        }
        return List.copyOf(novels);
    }

    /**
     * One novel by file stem ({@code sensesensibility}, {@code prideprejudice}, {@code mansfieldpark},
     * {@code emma}, {@code northangerabbey}, {@code persuasion}).
     */
    public static Novel novel(String name) {
        for (String[] n : NOVELS) {
            if (n[0].equals(name)) {
                return load(n[0], n[1]);
            }
        }
        throw new IllegalArgumentException("no Austen novel '" + name + "'; known: sensesensibility, prideprejudice,"
                + " mansfieldpark, emma, northangerabbey, persuasion");
    }

    private static Novel load(String name, String title) {
        ShippedData.Opened opened = ShippedData.open("austen/" + name + ".txt");
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(opened.stream(), decoder))) {
            return new Novel(name, title, reader.lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + opened.source(), e);
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException("cannot read " + opened.source() + " as UTF-8", e.getCause());
        }
    }
}
