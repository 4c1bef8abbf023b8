package dev.balora.core.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.CopyOption;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that a reader sees either the complete old content or the complete new content, never a
 * torn mix, even across a crash or power loss.
 *
 * <p>The recipe: write into a fresh temporary file in the target's directory (same file system, so the
 * rename below is possible), {@code fsync} it, rename it over the target with
 * {@link StandardCopyOption#ATOMIC_MOVE} (falling back to {@link StandardCopyOption#REPLACE_EXISTING} only
 * where the file system cannot move atomically), then {@code fsync} the directory so that the rename
 * itself is durable. Syncing the directory is best effort: some platforms (Windows) cannot open a
 * directory as a channel, and by then the new content is already in place.
 *
 * <p>When anything fails before the rename, including an exception or error thrown by the caller's body,
 * the temporary file is deleted and the old target is left untouched.
 *
 * <p>A symbolic link at {@code target} is replaced by a regular file; the file it pointed to is not
 * written.
 */
public final class AtomicFiles {
    /** Buffer between the caller's body and the channel; large enough to make tiny writes cheap. */
    private static final int BUFFER_BYTES = 1 << 16;
    /** Attempts at finding an unused temporary name before giving up (a collision needs 64 random bits). */
    private static final int TEMP_NAME_ATTEMPTS = 16;

    /** The rename step, a seam so that tests can simulate a file system without atomic moves. */
    @FunctionalInterface
    interface Mover {
        void move(Path source, Path target, CopyOption... options) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Atomically replaces (or creates) {@code target} with the bytes {@code body} writes.
     *
     * @param target the file to create or replace; its parent directory must exist
     * @param body writes the new content; it may close the stream it is given, which only flushes it
     * @throws IOException when the body, the write, the sync or the rename fails; the old target is then
     *     untouched and no temporary file is left behind
     */
    public static void write(Path target, IOConsumer<OutputStream> body) throws IOException {
        write(target, body, Files::move);
    }

    /**
     * Atomically replaces (or creates) {@code target} with {@code bytes}.
     *
     * @param target the file to create or replace; its parent directory must exist
     * @param bytes the complete new content
     * @throws IOException as {@link #write(Path, IOConsumer)}
     */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        write(target, out -> out.write(bytes));
    }

    /**
     * Atomically replaces (or creates) {@code target} with {@code text} encoded as UTF-8.
     *
     * @param target the file to create or replace; its parent directory must exist
     * @param text the complete new content
     * @throws IOException as {@link #write(Path, IOConsumer)}
     */
    public static void writeString(Path target, CharSequence text) throws IOException {
        Objects.requireNonNull(text, "text");
        writeBytes(target, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    static void write(Path target, IOConsumer<OutputStream> body, Mover mover) throws IOException {
        Objects.requireNonNull(body, "body");
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || absolute.getFileName() == null) {
            throw new IOException(target + ": an atomic write needs a file name inside a directory");
        }
        Path temp = null;
        try {
            Temp created = createTemp(dir, absolute.getFileName().toString());
            temp = created.path();
            try (FileChannel channel = created.channel()) {
                OutputStream out = new BufferedOutputStream(new NamingFailures(Channels.newOutputStream(channel), absolute),
                        BUFFER_BYTES);
                body.accept(new FlushOnClose(out));
                out.flush();
                try {
                    channel.force(true);
                } catch (IOException e) {
                    throw NamingFailures.named(absolute, e);
                }
            }
            moveIntoPlace(temp, absolute, mover);
            temp = null;
        } catch (Throwable t) {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException | RuntimeException cleanup) {
                    t.addSuppressed(cleanup);
                }
            }
            throw t;
        }
        syncDirectory(dir);
    }

    private record Temp(Path path, FileChannel channel) {}

    /**
     * Creates the temporary file with {@code CREATE_NEW} rather than {@link Files#createTempFile}: the
     * latter makes the file owner-only ({@code 0600}), which the rename would carry over to the target,
     * whereas a plain creation gets the usual permissions a new file gets here.
     */
    private static Temp createTemp(Path dir, String name) throws IOException {
        FileAlreadyExistsException last = null;
        for (int attempt = 0; attempt < TEMP_NAME_ATTEMPTS; attempt++) {
            String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
            Path temp = dir.resolve("." + name + "." + suffix + ".tmp");
            try {
                FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return new Temp(temp, channel);
            } catch (FileAlreadyExistsException e) {
                last = e;
            }
        }
        throw last;
    }

    static void moveIntoPlace(Path temp, Path target, Mover mover) throws IOException {
        try {
            mover.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            // Only here: a plain replacing move may be torn by a crash, but it is the best this file system offers.
            mover.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Best effort: Windows cannot open directories as channels; the new content is already in place.
        }
    }

    /** Lets the body close its stream without closing the channel that still needs its fsync. */
    /**
     * The channel's stream, with its failures ({@code No space left on device}, which names no file) rethrown as a
     * {@link FileSystemException} naming the target, so that a full disk is reported as "which file, why". The
     * body's own exceptions pass through untouched.
     */
    private static final class NamingFailures extends FilterOutputStream {
        private final Path target;

        NamingFailures(OutputStream out, Path target) {
            super(out);
            this.target = target;
        }

        static IOException named(Path target, IOException e) {
            if (e instanceof FileSystemException) {
                return e;
            }
            FileSystemException named = new FileSystemException(target.toString(), null, e.getMessage());
            named.initCause(e);
            return named;
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw named(target, e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw named(target, e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw named(target, e);
            }
        }
    }

    private static final class FlushOnClose extends FilterOutputStream {
        FlushOnClose(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
