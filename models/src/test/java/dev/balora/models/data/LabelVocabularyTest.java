package dev.balora.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabelVocabularyTest {

    @Test
    void sortedIsLexicographicOrNumericAndDeduplicated() {
        assertEquals(List.of("great", "other"), LabelVocabulary.sorted(List.of("other", "great", "other")).labels());
        assertEquals(List.of("-3", "2", "10", "33"), LabelVocabulary.sorted(List.of("10", "2", "33", "-3", "2")).labels());
        assertEquals(List.of("0", "00", "1"), LabelVocabulary.sorted(List.of("1", "00", "0")).labels());
        assertEquals(List.of("10", "2", "b"), LabelVocabulary.sorted(List.of("b", "2", "10")).labels());
    }

    @Test
    void explicitOrderIsKeptAndLookupsAgree() {
        LabelVocabulary v = LabelVocabulary.of("z", "a", "m");
        assertEquals(3, v.size());
        assertEquals(0, v.index("z"));
        assertEquals(2, v.index("m"));
        assertEquals("a", v.label(1));
        assertTrue(v.find("q").isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.index("q"));
        assertEquals("unknown label 'q'; known labels: [z, a, m]", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> v.label(3));
    }

    @Test
    void rejectsDuplicatesEmptiesAndNothing() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LabelVocabulary.of("a", "b", "a"))
                .getMessage().contains("appears twice"));
        assertThrows(IllegalArgumentException.class, () -> LabelVocabulary.of("a", ""));
        assertThrows(IllegalArgumentException.class, () -> LabelVocabulary.of(List.of()));
    }
}
