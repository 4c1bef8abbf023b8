package dev.balora.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShippedDataTest {

    @Test
    void foodReviewCountsAndLabels() {
        TextClassificationDataset train = FoodReviews.train();
        TextClassificationDataset test = FoodReviews.test();
        assertEquals(4000, train.size());
        assertEquals(1000, test.size());
        assertEquals(List.of("great", "other"), train.labels().labels());
        assertArrayEquals(new int[] {2600, 1400}, train.labelCounts());
        assertArrayEquals(new int[] {658, 342}, test.labelCounts());
        assertTrue(train.name().startsWith("classpath:"), train.name());
        // Row 9 of the test file is quoted with doubled quotes in the TSV.
        assertTrue(test.get(7).text().startsWith("This product is great for a quick cup of coffee."), test.get(7).text());
        assertTrue(test.get(7).text().contains("use 2 \"sticks\"."), test.get(7).text());
        // Reference totals from Python's csv module over the same files (UTF-16 length, quote count): a reader
        // that left outer or doubled quotes in place would miss both.
        assertEquals(1_587_412, totalLength(train));
        assertEquals(1_497, quotes(train));
        assertEquals(408_306, totalLength(test));
        assertEquals(473, quotes(test));
    }

    @Test
    void classpathCopiesMatchTheRepositoryData() throws IOException {
        Path data = repositoryData();
        for (String name : List.of("food-reviews/food-reviews-train.tsv", "food-reviews/food-reviews-test.tsv",
                "austen/emma.txt", "austen/persuasion.txt")) {
            try (InputStream in = ShippedData.class.getResourceAsStream("/data/" + name)) {
                assertArrayEquals(Files.readAllBytes(data.resolve(name)), in.readAllBytes(), name);
            }
        }
    }

    @Test
    void dataDirPropertyOverridesAndNamesItself(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("food-reviews"));
        Files.writeString(dir.resolve("food-reviews/food-reviews-train.tsv"), "label\ttext\nother\tmeh\ngreat\tyum\n");
        String previous = System.getProperty(ShippedData.DATA_DIR_PROPERTY);
        System.setProperty(ShippedData.DATA_DIR_PROPERTY, dir.toString());
        try {
            TextClassificationDataset small = FoodReviews.train();
            assertEquals(2, small.size());
            assertEquals(1, small.get(0).label());
            UncheckedIOException missing = assertThrows(UncheckedIOException.class, FoodReviews::test);
            assertTrue(missing.getMessage().contains(ShippedData.DATA_DIR_PROPERTY), missing.getMessage());
        } finally {
            if (previous == null) {
                System.clearProperty(ShippedData.DATA_DIR_PROPERTY);
            } else {
                System.setProperty(ShippedData.DATA_DIR_PROPERTY, previous);
            }
        }
    }

    @Test
    void austenNovels() {
        List<Austen.Novel> novels = Austen.novels();
        assertEquals(List.of("sensesensibility", "prideprejudice", "mansfieldpark", "emma", "northangerabbey",
                "persuasion"), novels.stream().map(Austen.Novel::name).toList());
        int[] lines = {12624, 13030, 15349, 16235, 7856, 8328};
        long words = 0;
        for (int i = 0; i < novels.size(); i++) {
            assertEquals(lines[i], novels.get(i).lines().size(), novels.get(i).name());
            for (String line : novels.get(i).lines()) {
                words += line.isBlank() ? 0 : line.strip().split("\\s+").length;
            }
        }
        assertEquals(717_537, words);
        Austen.Novel emma = Austen.novel("emma");
        assertEquals("EMMA", emma.lines().get(0));
        assertEquals(883_028, emma.text().length()); // ASCII, so chars = bytes of the file
        assertTrue(Austen.novel("mansfieldpark").text().contains("\u00a320,000"));
        assertThrows(IllegalArgumentException.class, () -> Austen.novel("sanditon"));
    }

    private static long totalLength(TextClassificationDataset d) {
        return d.examples().stream().mapToLong(e -> e.text().length()).sum();
    }

    private static long quotes(TextClassificationDataset d) {
        return d.examples().stream().mapToLong(e -> e.text().chars().filter(c -> c == '"').count()).sum();
    }

    /** The repository's data/ folder, found upward from the working directory (the module folder under Maven). */
    static Path repositoryData() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("data/food-reviews"))) {
                return d.resolve("data");
            }
        }
        throw new IllegalStateException("no data/ folder above " + Path.of("").toAbsolutePath());
    }
}
