package dev.balora.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI pieces of the inheritance experiment: {@code pretrain} size overrides and {@code --tokenizer} reuse, and
 * {@code score-lm} (escapes, groups, per-pair output, bad input → exit 2).
 */
class CliScoreLmTest {
    @Test
    void pretrainSizesTokenizerReuseAndScoring(@TempDir Path tmp) throws Exception {
        Path austen = CliEndToEndTest.repoData().resolve("austen");
        Path clean = tmp.resolve("clean.txt");
        Files.writeString(clean, Files.readString(austen.resolve("emma.txt")).substring(0, 60_000));
        Path a = tmp.resolve("a");
        CliEndToEndTest.Result p = CliEndToEndTest.balora("pretrain", "--smoke", "--text", clean.toString(), "--out",
                a.toString(), "--hidden", "48", "--layers", "1", "--heads", "3", "--vocab", "300", "--block", "24",
                "--max-steps", "3");
        assertEquals(0, p.code(), p.err());
        JsonNode cfg = new ObjectMapper().readTree(a.resolve("model/config.json").toFile());
        assertEquals(48, cfg.get("hidden_size").asInt());
        assertEquals(1, cfg.get("num_hidden_layers").asInt());
        assertEquals(3, cfg.get("num_attention_heads").asInt());
        assertEquals(24, cfg.get("max_position_embeddings").asInt());
        assertEquals(128, cfg.get("intermediate_size").asInt(), "8·48/3 = 128");

        Path other = tmp.resolve("other.txt");
        Files.writeString(other, Files.readString(austen.resolve("persuasion.txt")).substring(0, 40_000));
        Path b = tmp.resolve("b");
        Path tok = a.resolve("model/tokenizer.json");
        p = CliEndToEndTest.balora("pretrain", "--smoke", "--text", other.toString(), "--out", b.toString(),
                "--tokenizer", tok.toString(), "--hidden", "48", "--heads", "3", "--block", "24", "--max-steps", "2");
        assertEquals(0, p.code(), p.err());
        assertEquals(Files.readString(tok), Files.readString(b.resolve("model/tokenizer.json")), "the tokenizer is reused as is");

        Path pairs = tmp.resolve("pairs.tsv");
        Files.writeString(pairs, "It was a truth\\nuniversally acknowledged, she\t foolish\tshe\n"
                + "Mr. Knightley said he\t foolish\the\n"
                + "\t foolish\the\n");
        Path scores = tmp.resolve("scores/out.tsv");
        CliEndToEndTest.Result s = CliEndToEndTest.balora("score-lm", "--model", b.resolve("model").toString(),
                "--pairs", pairs.toString(), "--out", scores.toString());
        assertEquals(0, s.code(), s.err());
        List<String> rows = Files.readAllLines(scores);
        assertEquals(4, rows.size(), "header + one row per pair");
        assertEquals("group\tlogprob\ttokens\tgreedy", rows.get(0));
        for (String row : rows.subList(1, 4)) {
            String[] f = row.split("\t");
            assertTrue(Double.parseDouble(f[1]) < 0, row);
            assertTrue(Integer.parseInt(f[2]) >= 1, row);
        }
        assertTrue(s.out().contains("she: 1 pairs") && s.out().contains("he: 2 pairs"), s.out());

        Files.writeString(pairs, "only one field\n");
        CliEndToEndTest.Result bad = CliEndToEndTest.balora("score-lm", "--model", b.resolve("model").toString(),
                "--pairs", pairs.toString(), "--out", scores.toString());
        assertEquals(Main.EXIT_BAD_INPUT, bad.code(), bad.out());
        assertTrue(bad.err().contains("pairs.tsv:1") && bad.err().contains("got 1"), bad.err());

        CliEndToEndTest.Result badSize = CliEndToEndTest.balora("pretrain", "--smoke", "--text", clean.toString(),
                "--out", tmp.resolve("c").toString(), "--hidden", "50", "--heads", "4");
        assertEquals(Main.EXIT_BAD_INPUT, badSize.code(), badSize.out());
        assertTrue(badSize.err().contains("--hidden 50"), badSize.err());
    }

    @Test
    void unescapeUndoesTheTsvEscapes() {
        assertEquals("a\nb\tc\\d", ScoreLmCommand.unescape("a\\nb\\tc\\\\d"));
        assertEquals("trailing\\", ScoreLmCommand.unescape("trailing\\"));
    }
}
