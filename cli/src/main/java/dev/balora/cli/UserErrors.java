package dev.balora.cli;

import java.io.FileNotFoundException;
import java.nio.file.NoSuchFileException;

/**
 * Decides which failures are the user's input (exit 2, one clear line) rather than balora's (exit 1, stack trace):
 * missing files, malformed datasets, models or adapters, bad option values.
 */
final class UserErrors {
    private UserErrors() {}

    static boolean isUserError(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UserInputException || c instanceof NoSuchFileException || c instanceof FileNotFoundException
                    || c instanceof java.nio.file.AccessDeniedException) {
                return true;
            }
            String n = c.getClass().getSimpleName();
            if (n.endsWith("FormatException")) {
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
            if (c instanceof java.nio.file.AccessDeniedException e) {
                return "cannot read: " + e.getFile();
            }
            if (c instanceof UserInputException || c.getClass().getSimpleName().endsWith("FormatException")
                    || c instanceof FileNotFoundException) {
                return c.getMessage();
            }
        }
        return String.valueOf(t.getMessage());
    }
}
