package dev.balora.models.hf;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.balora.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading and writing the small JSON files of a Hugging Face folder: strict parsing, atomic pretty-printed writes. */
final class JsonFiles {
    /** Small config files only; anything larger than this is not one of them. */
    static final long MAX_BYTES = 16L << 20;

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private JsonFiles() {}

    /** @return the file's top-level JSON object; every failure names the file */
    static ObjectNode readObject(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new HfFolderFormatException(file, "(file)", size + " bytes, more than a config file has (" + MAX_BYTES + ")");
        }
        return parseObject(file, Files.readAllBytes(file));
    }

    /** @return {@code bytes} parsed as one JSON object; {@code file} names the source in errors */
    static ObjectNode parseObject(Path file, byte[] bytes) throws HfFolderFormatException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JacksonException e) {
            String m = String.valueOf(e.getOriginalMessage());
            throw new HfFolderFormatException(file, "(json)", "not valid JSON: " + m.lines().findFirst().orElse(m));
        } catch (IOException e) {
            throw new HfFolderFormatException(file, "(json)", "not valid JSON: " + e.getMessage());
        }
        if (!(root instanceof ObjectNode o)) {
            throw new HfFolderFormatException(file, "(root)", "expected a JSON object");
        }
        return o;
    }

    /** Writes {@code node} pretty-printed with a final newline, atomically. */
    static void write(Path file, JsonNode node) throws IOException {
        AtomicFiles.writeString(file, JSON.writeValueAsString(node) + "\n");
    }

    /** Writes {@code node} compactly with a final newline, atomically (large files such as tokenizer.json). */
    static void writeCompact(Path file, JsonNode node) throws IOException {
        AtomicFiles.writeString(file, JSON.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(node) + "\n");
    }
}
