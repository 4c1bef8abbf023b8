package dev.balora.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class LengthStatsTest {

    @Test
    void nearestRankPercentiles() {
        LengthStats s = LengthStats.of(new int[] {9, 1, 7, 3, 5, 11, 13, 2, 17, 4, 6, 8, 10, 12, 14, 15, 16, 18, 19, 20});
        assertEquals(20, s.count());
        assertEquals(1, s.min());
        assertEquals(10, s.median()); // 10th of 20
        assertEquals(19, s.p95()); // 19th of 20
        assertEquals(20, s.max());
        assertEquals(10.5, s.mean(), 1e-12);
        LengthStats one = LengthStats.of(new int[] {7});
        assertEquals(7, one.min());
        assertEquals(7, one.median());
        assertEquals(7, one.p95());
        LengthStats three = LengthStats.of(new int[] {33, 1, 3});
        assertEquals(3, three.median());
        assertEquals(33, three.p95());
        assertThrows(IllegalArgumentException.class, () -> LengthStats.of(new int[0]));
        assertThrows(IllegalArgumentException.class, () -> LengthStats.of(new int[] {1, -1}));
    }

    @Test
    void charactersAndTokensIncludeThePair() {
        TextClassificationDataset d = new TextClassificationDataset("d", List.of(
                new TextClassificationDataset.Example("one two three", 0),
                new TextClassificationDataset.Example("a b", "c d e f", 0),
                new TextClassificationDataset.Example("x", 0)), LabelVocabulary.of("only"));
        LengthStats chars = LengthStats.ofCharacters(d);
        assertEquals(1, chars.min());
        assertEquals(13, chars.max());
        assertEquals(10, chars.median()); // 3 + 7
        LengthStats words = LengthStats.ofTokens(d, s -> s.split(" ").length);
        assertEquals(1, words.min());
        assertEquals(3, words.median());
        assertEquals(6, words.max());
    }

    @Test
    void foodReviewCharacterLengths() {
        // Values also computed independently by Python over the shipped TSV (README).
        LengthStats train = LengthStats.ofCharacters(FoodReviews.train());
        assertEquals(50, train.min());
        assertEquals(4913, train.max());
        LengthStats test = LengthStats.ofCharacters(FoodReviews.test());
        assertEquals(62, test.min());
        assertEquals(8055, test.max());
    }
}
