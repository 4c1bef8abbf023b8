package dev.balora.cli;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** Folder names for runs. */
final class RunNames {
    private RunNames() {}

    static String timestamp() {
        return LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    }
}
