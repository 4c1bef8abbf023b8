package dev.balora.models.decoder;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.balora.models.bpe.BpeTokenizer;
import dev.balora.models.data.DatasetFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Causal-LM training data with labels aligned to the inputs ({@link LmExample}):
 * <ul>
 *   <li>plain text, tokenized into one stream (documents separated by an end token) and cut into blocks of T
 *       positions; block k uses tokens [kT, kT+T] as inputs [0, T) and labels [1, T+1), so every position is
 *       labelled;</li>
 *   <li>instruction/response records, where the prompt's positions are masked out of the loss and the response is
 *       followed by the end token;</li>
 *   <li>right-padded batches of either.</li>
 * </ul>
 */
public final class LmData {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private LmData() {}

    /**
     * @param tokenizer the tokenizer
     * @param documents texts to join
     * @param eosId     id placed after every document, or −1 for none
     * @return all documents' tokens in one stream
     */
    public static int[] tokenStream(BpeTokenizer tokenizer, List<String> documents, int eosId) {
        List<int[]> parts = new ArrayList<>();
        long total = 0;
        for (String d : documents) {
            int[] ids = tokenizer.encode(d);
            parts.add(ids);
            total += ids.length + (eosId >= 0 ? 1 : 0);
        }
        int[] out = new int[Math.toIntExact(total)];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
            if (eosId >= 0) {
                out[at++] = eosId;
            }
        }
        return out;
    }

    /**
     * @param stream token stream
     * @param t      block length T (≥ 1)
     * @return ⌊(len − 1) / T⌋ blocks; the tail that does not fill one is dropped
     */
    public static List<LmExample> blocks(int[] stream, int t) {
        if (t < 1) {
            throw new DecoderException("LmData.blocks: block length must be >= 1, got " + t);
        }
        List<LmExample> out = new ArrayList<>();
        for (int start = 0; start + t < stream.length; start += t) {
            out.add(new LmExample(Arrays.copyOfRange(stream, start, start + t),
                    Arrays.copyOfRange(stream, start + 1, start + t + 1)));
        }
        return out;
    }

    /**
     * Reads instruction JSONL: one object a line with string fields {@code instruction} and {@code output}
     * (non-empty) and an optional string {@code input}; blank lines are skipped.
     *
     * @throws DatasetFormatException naming the file, line and field of a bad record
     */
    public static List<InstructionExample> readInstructions(Path file) throws IOException {
        List<InstructionExample> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new DatasetFormatException(file.toString(), no, null, "bad JSON: " + e.getOriginalMessage(), e);
                }
                if (node == null || !node.isObject()) {
                    throw new DatasetFormatException(file.toString(), no, null, "expected a JSON object, got " + node);
                }
                out.add(new InstructionExample(text(file, no, node, "instruction", true), text(file, no, node, "input", false),
                        text(file, no, node, "output", true)));
            }
        }
        if (out.isEmpty()) {
            throw new DatasetFormatException(file.toString(), 0, null, "no examples");
        }
        return out;
    }

    private static String text(Path file, long line, JsonNode node, String field, boolean required) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new DatasetFormatException(file.toString(), line, field, "missing");
            }
            return "";
        }
        if (!v.isTextual() || required && v.asText().isEmpty()) {
            throw new DatasetFormatException(file.toString(), line, field, "expected a non-empty string, got " + v);
        }
        return v.asText();
    }

    /**
     * Tokenizes {@code prompt(example) + output + eos}; labels cover only the response and the end token.
     *
     * @param tokenizer the tokenizer
     * @param example   the record
     * @param prompt    renders the prompt (e.g. {@link InstructionExample#alpacaPrompt})
     * @param eosId     the end token appended after the response, or −1 for none
     * @param maxLength longest sequence (positions); longer ones lose their end (the prompt is kept)
     * @return the example, or null when the prompt alone fills {@code maxLength} (nothing would be learned)
     */
    public static LmExample instruction(BpeTokenizer tokenizer, InstructionExample example,
                                        Function<InstructionExample, String> prompt, int eosId, int maxLength) {
        int[] p = tokenizer.encode(prompt.apply(example));
        int[] r = tokenizer.encode(example.output());
        int full = p.length + r.length + (eosId >= 0 ? 1 : 0);
        int[] seq = Arrays.copyOf(p, full);
        System.arraycopy(r, 0, seq, p.length, r.length);
        if (eosId >= 0) {
            seq[full - 1] = eosId;
        }
        int len = Math.min(full - 1, maxLength);
        if (p.length == 0 || len < p.length) {
            return null;
        }
        int[] ids = Arrays.copyOf(seq, len);
        int[] labels = new int[len];
        for (int i = 0; i < len; i++) {
            // Position i predicts token i+1; it counts only when that token belongs to the response.
            labels[i] = i + 1 >= p.length ? seq[i + 1] : CausalLm.IGNORE_INDEX;
        }
        return new LmExample(ids, labels);
    }

    /**
     * @param examples one or more examples
     * @param padId    id for padding positions (their labels are ignored, and causal attention keeps real tokens
     *                 from seeing them)
     * @return the examples right-padded to the longest
     */
    public static LmBatch batch(List<LmExample> examples, int padId) {
        if (examples.isEmpty()) {
            throw new DecoderException("LmData.batch: no examples");
        }
        int t = 0;
        for (LmExample e : examples) {
            t = Math.max(t, e.ids().length);
        }
        int n = examples.size();
        int[] ids = new int[n * t];
        int[] labels = new int[n * t];
        Arrays.fill(ids, padId);
        Arrays.fill(labels, CausalLm.IGNORE_INDEX);
        for (int i = 0; i < n; i++) {
            LmExample e = examples.get(i);
            System.arraycopy(e.ids(), 0, ids, i * t, e.ids().length);
            System.arraycopy(e.labels(), 0, labels, i * t, e.labels().length);
        }
        return new LmBatch(ids, labels, n, t);
    }
}
