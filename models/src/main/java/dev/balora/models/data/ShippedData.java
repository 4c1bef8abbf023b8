package dev.balora.models.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds a data file that balora ships, such as {@code food-reviews/food-reviews-train.tsv}.
 *
 * <p>Lookup order: (1) when the system property {@value #DATA_DIR_PROPERTY} is set, that folder and nothing
 * else, so an explicit choice is never silently overridden; (2) the classpath resource
 * {@code /data/<name>} inside the models jar; (3) {@code data/<name>} in the working directory or the
 * nearest of its parents that has it (a source checkout, from any module folder).
 */
final class ShippedData {
    /** System property naming a folder that replaces the shipped data: {@code <dir>/food-reviews/...}. */
    static final String DATA_DIR_PROPERTY = "balora.data.dir";

    /** An opened data file and the name to report it under. */
    record Opened(InputStream stream, String source) {}

    private ShippedData() {}

    /** Opens shipped file {@code name} (a relative path with {@code /}); the caller closes the stream. */
    static Opened open(String name) {
        String dir = System.getProperty(DATA_DIR_PROPERTY);
        if (dir != null && !dir.isBlank()) {
            return openFile(Path.of(dir).resolve(name), "-D" + DATA_DIR_PROPERTY + "=" + dir);
        }
        String resource = "/data/" + name;
        InputStream in = ShippedData.class.getResourceAsStream(resource);
        if (in != null) {
            return new Opened(in, "classpath:" + resource);
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("data").resolve(name);
            if (Files.isRegularFile(candidate)) {
                return openFile(candidate, "the working directory");
            }
        }
        throw new UncheckedIOException(new IOException("shipped data file '" + name + "' not found: no -D"
                + DATA_DIR_PROPERTY + ", no classpath resource " + resource + ", and no data/" + name
                + " in " + Path.of("").toAbsolutePath() + " or its parents"));
    }

    private static Opened openFile(Path file, String via) {
        try {
            return new Opened(Files.newInputStream(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + " (found via " + via + ")", e);
        }
    }
}
