package dev.balora.cli;

import java.io.FileNotFoundException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Set;

/**
 * Decides which failures are the user's input (exit 2, one clear line) rather than balora's (exit 1, stack trace):
 * missing files, malformed datasets, models, configs, weights or adapters, bad option values and settings, and an
 * output folder that cannot be written (read-only, full).
 */
final class UserErrors {
    /**
     * Exception types, by simple name, that report a bad input file or setting with a one-line message naming it
     * (besides every {@code *FormatException}).
     */
    private static final Set<String> INPUT_ERRORS = Set.of("InvalidConfigException", "DecoderCheckpointException",
            "BackendUnavailableException", "NonFiniteOutputException");

    private UserErrors() {}

    static boolean isUserError(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UserInputException || c instanceof FileSystemException || c instanceof FileNotFoundException) {
                return true;
            }
            String n = c.getClass().getSimpleName();
            if (n.endsWith("FormatException") || INPUT_ERRORS.contains(n)) {
                return true;
            }
        }
        return false;
    }

    static String message(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof NoSuchFileException e) {
                return "no such file: " + e.getFile();
            }
            if (c instanceof AccessDeniedException e) {
                return "cannot access: " + e.getFile() + " (permission denied)";
            }
            String n = c.getClass().getSimpleName();
            if (c instanceof UserInputException || n.endsWith("FormatException") || INPUT_ERRORS.contains(n)
                    || c instanceof FileNotFoundException || c instanceof FileSystemException) {
                return c.getMessage();
            }
        }
        return String.valueOf(t.getMessage());
    }
}
