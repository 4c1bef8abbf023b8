package dev.balora.core.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.CopyOption;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(Path::getFileName).sorted().toList();
        }
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void createsFileLargerThanTheBufferWithExactContentAndNoLeftovers() throws IOException {
        Path target = dir.resolve("new.bin");
        byte[] content = randomBytes(200_003, 1);
        AtomicFiles.write(target, out -> {
            out.write(content, 0, 7);
            out.write(content[7]);
            out.write(content, 8, content.length - 8);
        });
        assertArrayEquals(content, Files.readAllBytes(target));
        assertEquals(List.of(Path.of("new.bin")), listing());
    }

    @Test
    void replacesExistingContent() throws IOException {
        Path target = dir.resolve("a.txt");
        Files.writeString(target, "old content that is longer than the new one");
        AtomicFiles.writeString(target, "néw ✓");
        assertEquals("néw ✓", Files.readString(target, StandardCharsets.UTF_8));
        AtomicFiles.writeBytes(target, new byte[] {3, 1, 4});
        assertArrayEquals(new byte[] {3, 1, 4}, Files.readAllBytes(target));
        assertEquals(List.of(Path.of("a.txt")), listing());
    }

    @Test
    void bodyMayCloseItsStream() throws IOException {
        Path target = dir.resolve("closed.bin");
        AtomicFiles.write(target, out -> {
            out.write(new byte[] {9, 8, 7});
            out.close();
        });
        assertArrayEquals(new byte[] {9, 8, 7}, Files.readAllBytes(target));
    }

    @Test
    void failingBodyLeavesOldTargetAndNoTempFile() throws IOException {
        Path target = dir.resolve("keep.bin");
        byte[] old = randomBytes(1_000, 2);
        Files.write(target, old);
        List<Throwable> failures = List.of(new IOException("disk full"), new UncheckedIOException(new IOException("x")),
                new IllegalStateException("bug"), new OutOfMemoryError("simulated"));
        for (Throwable failure : failures) {
            Throwable thrown = assertThrows(Throwable.class, () -> AtomicFiles.write(target, out -> {
                out.write(randomBytes(100_000, 3)); // more than the buffer, so bytes reach the temp file
                sneakyThrow(failure);
            }));
            assertSame(failure, thrown);
            assertArrayEquals(old, Files.readAllBytes(target), "after " + failure);
            assertEquals(List.of(Path.of("keep.bin")), listing(), "after " + failure);
        }
    }

    @Test
    void failingBodyOnNewTargetCreatesNothing() throws IOException {
        Path target = dir.resolve("never.bin");
        assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(1);
            throw new IOException("nope");
        }));
        assertEquals(List.of(), listing());
    }

    @Test
    void failingRenameLeavesOldTargetAndNoTempFile() throws IOException {
        Path target = dir.resolve("keep.txt");
        Files.writeString(target, "old");
        IOException boom = new IOException("rename failed");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.write(target,
                out -> out.write("new".getBytes(StandardCharsets.UTF_8)),
                (source, dest, options) -> {
                    throw boom;
                }));
        assertSame(boom, thrown);
        assertEquals("old", Files.readString(target));
        assertEquals(List.of(Path.of("keep.txt")), listing());
    }

    @Test
    void targetThatIsADirectoryFailsCleanly() throws IOException {
        Path target = Files.createDirectory(dir.resolve("sub"));
        Files.writeString(target.resolve("inside"), "x");
        assertThrows(IOException.class, () -> AtomicFiles.writeString(target, "y"));
        assertEquals(List.of(Path.of("sub")), listing());
        assertEquals("x", Files.readString(target.resolve("inside")));
    }

    @Test
    void missingDirectoryFailsWithoutCreatingIt() {
        Path target = dir.resolve("missing").resolve("f.bin");
        assertThrows(NoSuchFileException.class, () -> AtomicFiles.writeString(target, "x"));
        assertFalse(Files.exists(target.getParent()));
    }

    @Test
    void fallsBackToReplacingMoveOnlyWhenAtomicMoveIsUnsupported() throws IOException {
        Path target = dir.resolve("fallback.txt");
        Files.writeString(target, "old");
        List<List<CopyOption>> calls = new ArrayList<>();
        AtomicFiles.write(target, out -> out.write("new".getBytes(StandardCharsets.UTF_8)),
                (source, dest, options) -> {
                    calls.add(List.of(options));
                    if (List.of(options).contains(StandardCopyOption.ATOMIC_MOVE)) {
                        throw new AtomicMoveNotSupportedException(source.toString(), dest.toString(), "test");
                    }
                    Files.move(source, dest, options);
                });
        assertEquals(List.of(List.of(StandardCopyOption.ATOMIC_MOVE), List.of(StandardCopyOption.REPLACE_EXISTING)), calls);
        assertEquals("new", Files.readString(target));
        assertEquals(List.of(Path.of("fallback.txt")), listing());
    }

    @Test
    void newFileGetsOrdinaryPermissionsNotTempFilePermissions() throws IOException {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return; // Permissions are a POSIX notion; elsewhere there is nothing to compare.
        }
        Path plain = Files.createFile(dir.resolve("plain"));
        Path atomic = dir.resolve("atomic");
        AtomicFiles.writeString(atomic, "x");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }
}
