package dev.balora.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks where a command will write before it does any work, so that a read-only or missing output folder fails in
 * the first second with one line rather than after a whole training run or evaluation. (A disk that fills up later
 * still fails at the write, with the file named: see {@code AtomicFiles}.)
 */
final class OutputPaths {
    private OutputPaths() {}

    /**
     * Creates {@code dir} (and its parents) when missing and proves it writable by creating and deleting a file.
     *
     * @param option the option that named it, for the message
     * @return dir
     * @throws UserInputException when it cannot be created or written
     */
    static Path prepareDirectory(Path dir, String option) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".balora-write-check", ".tmp");
            Files.delete(probe);
            return dir;
        } catch (IOException | UnsupportedOperationException e) {
            throw new UserInputException(option + " " + dir + ": cannot write there (" + reason(e) + ")", e);
        }
    }

    /**
     * @param file   a file the command will write (its folder must exist: it is not created)
     * @param option the option that named it
     * @throws UserInputException when the folder is missing or not writable
     */
    static void requireWritableParent(Path file, String option) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new UserInputException(option + " " + file + ": the folder " + parent + " does not exist");
        }
        if (!Files.isWritable(parent)) {
            throw new UserInputException(option + " " + file + ": the folder " + parent + " is not writable");
        }
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
