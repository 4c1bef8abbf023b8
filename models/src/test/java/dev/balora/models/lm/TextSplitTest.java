package dev.balora.models.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TextSplitTest {
    private static String lines(long seed, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            int len = 1 + r.nextInt(37);
            for (int j = 0; j < len; j++) {
                sb.append((char) ('a' + r.nextInt(26)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Test
    void eachDocumentGivesUpItsTailAtALineBreak() {
        List<String> docs = List.of(lines(1, 33), lines(2, 117), lines(3, 7));
        TextSplit s = TextSplit.of(docs, 0.17);
        assertEquals(3, s.train().size());
        assertEquals(3, s.validation().size());
        for (int i = 0; i < docs.size(); i++) {
            String doc = docs.get(i);
            assertEquals(doc, s.train().get(i) + s.validation().get(i), "the parts rebuild document " + i);
            assertTrue(s.train().get(i).endsWith("\n"), "cut at a line break");
            double held = (double) s.validation().get(i).length() / doc.length();
            assertTrue(held <= 0.17 && held > 0.17 - 38.0 / doc.length(), "held-out share " + held);
        }
    }

    @Test
    void zeroFractionKeepsEverythingAndBadFractionsFail() {
        List<String> docs = List.of(lines(4, 3));
        TextSplit s = TextSplit.of(docs, 0.0);
        assertEquals(docs, s.train());
        assertTrue(s.validation().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> TextSplit.of(docs, 1.0));
        assertThrows(IllegalArgumentException.class, () -> TextSplit.of(docs, -0.1));
        assertThrows(IllegalArgumentException.class, () -> TextSplit.of(List.of(), 0.1));
    }
}
