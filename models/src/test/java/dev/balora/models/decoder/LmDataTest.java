package dev.balora.models.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.models.bpe.BpeTokenizer;
import dev.balora.models.bpe.BpeTrainer;
import dev.balora.models.data.DatasetFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Block chunking, prompt masking, padding and JSONL errors of the causal-LM data. */
class LmDataTest {
    static final int IGN = CausalLm.IGNORE_INDEX;
    static final BpeTokenizer TOK = new BpeTrainer(300, 1, List.of("<eos>"))
            .train(List.of("### Instruction:\nSay hi.\n\n### Response:\nHi there, friend."));
    @TempDir
    Path dir;

    @Test
    void blocksShiftLabelsByOneAndDropTheTail() {
        int[] stream = new int[23];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = 100 + i;
        }
        List<LmExample> blocks = LmData.blocks(stream, 7);
        assertEquals(3, blocks.size()); // (23 − 1) / 7
        assertArrayEquals(new int[] {107, 108, 109, 110, 111, 112, 113}, blocks.get(1).ids());
        assertArrayEquals(new int[] {108, 109, 110, 111, 112, 113, 114}, blocks.get(1).labels());
        assertEquals(7, blocks.get(2).labelledPositions());
        int eos = TOK.tokenToId("<eos>");
        int[] joined = LmData.tokenStream(TOK, List.of("Hi", "there"), eos);
        assertEquals(eos, joined[joined.length - 1]);
        assertEquals("Hi<eos>there<eos>", TOK.decode(joined));
    }

    @Test
    void instructionPromptIsMaskedAndTheResponseEndsWithEos() {
        int eos = TOK.tokenToId("<eos>");
        InstructionExample ex = new InstructionExample("Say hi.", "", "Hi there, friend.");
        int[] prompt = TOK.encode(ex.alpacaPrompt());
        int[] response = TOK.encode(ex.output());
        LmExample e = LmData.instruction(TOK, ex, InstructionExample::alpacaPrompt, eos, 512);
        int len = prompt.length + response.length; // the final eos is only a label
        assertEquals(len, e.ids().length);
        for (int i = 0; i < len; i++) {
            int target = i + 1 < prompt.length ? IGN : i + 1 < len ? (i + 1 < prompt.length + response.length
                    ? (i + 1 - prompt.length < response.length ? response[i + 1 - prompt.length] : eos) : eos) : eos;
            assertEquals(target, e.labels()[i], "position " + i);
        }
        assertEquals(response.length + 1, e.labelledPositions());
        assertEquals(ex.alpacaPrompt() + ex.output(), TOK.decode(e.ids()));

        LmExample cut = LmData.instruction(TOK, ex, InstructionExample::alpacaPrompt, eos, prompt.length + 2);
        assertEquals(prompt.length + 2, cut.ids().length);
        assertEquals(3, cut.labelledPositions());
        assertNull(LmData.instruction(TOK, ex, InstructionExample::alpacaPrompt, eos, prompt.length - 1));
        assertTrue(new InstructionExample("a", "ctx", "b").alpacaPrompt().contains("### Input:\nctx"));
    }

    @Test
    void batchesAreRightPaddedWithIgnoredLabels() {
        LmExample a = new LmExample(new int[] {1, 2, 3}, new int[] {2, 3, 4});
        LmExample b = new LmExample(new int[] {5}, new int[] {6});
        LmBatch batch = LmData.batch(List.of(a, b), 0);
        assertEquals(2, batch.n());
        assertEquals(3, batch.t());
        assertArrayEquals(new int[] {1, 2, 3, 5, 0, 0}, batch.ids());
        assertArrayEquals(new int[] {2, 3, 4, 6, IGN, IGN}, batch.labels());
    }

    @Test
    void paddingDoesNotChangeTheLossOfTheRealTokens() {
        CausalLm m = new CausalLm(DecoderConfig.llama(TOK.vocabSize(), 16, 1, 2, 1, 24, 32).withDropout(0, 0, 0));
        LmExample a = new LmExample(new int[] {10, 20, 30, 40}, new int[] {20, 30, 40, 50});
        LmExample b = new LmExample(new int[] {60, 70}, new int[] {70, IGN});
        LmBatch padded = LmData.batch(List.of(a, b), 0);
        double alone = m.lmLoss(b.ids(), b.labels(), 1, 2).item();
        double[] logits = m.forward(padded.ids(), 2, 4).toDoubleArray();
        double[] own = m.forward(b.ids(), 1, 2).toDoubleArray();
        int v = TOK.vocabSize();
        for (int i = 0; i < 2 * v; i++) {
            assertEquals(own[i], logits[4 * v + i], 1e-5, "logit " + i + " of the padded row");
        }
        assertTrue(alone > 0);
    }

    @Test
    void readsInstructionJsonlAndNamesBadLines() throws IOException {
        Path file = dir.resolve("train.jsonl");
        Files.writeString(file, "{\"instruction\": \"Greet\", \"output\": \"Hello\"}\n\n"
                + "{\"instruction\": \"Add\", \"input\": \"1 + 2\", \"output\": \"3\"}\n");
        List<InstructionExample> ex = LmData.readInstructions(file);
        assertEquals(List.of(new InstructionExample("Greet", "", "Hello"), new InstructionExample("Add", "1 + 2", "3")), ex);
        Files.writeString(file, "{\"instruction\": \"Greet\", \"output\": \"Hello\"}\n{\"instruction\": \"x\"}\n");
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> LmData.readInstructions(file));
        assertTrue(e.getMessage().contains("train.jsonl:2") && e.getMessage().contains("output"), e.getMessage());
        Files.writeString(file, "{\"instruction\": 3, \"output\": \"a\"}\n");
        e = assertThrows(DatasetFormatException.class, () -> LmData.readInstructions(file));
        assertTrue(e.getMessage().contains("instruction") && e.getMessage().contains(":1"), e.getMessage());
        Files.writeString(file, "{not json\n");
        assertThrows(DatasetFormatException.class, () -> LmData.readInstructions(file));
        assertTrue(Arrays.stream(TOK.encode("Hi")).allMatch(id -> id < TOK.vocabSize()));
    }
}
