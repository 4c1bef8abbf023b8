package dev.balora.core.train;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per line, appended. A checkpoint records the file's length after a
 * {@link #sync()}; a resume truncates the file back to it, so lines from steps after the checkpoint (which will
 * be computed again) appear once.
 */
final class MetricsLog implements Closeable {
    private final Path file;
    private final FileChannel channel;

    private MetricsLog(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Creates the log for a fresh run; refuses to append to an existing non-empty log. */
    static MetricsLog create(Path file) throws IOException {
        if (Files.exists(file) && Files.size(file) > 0) {
            throw new IllegalStateException(file + ": a metrics log from an earlier run is here (" + Files.size(file)
                    + " bytes); resume from its checkpoint or choose an empty output directory");
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        return new MetricsLog(file, FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING));
    }

    /** Reopens the log of a resumed run, truncated to {@code length} bytes. */
    static MetricsLog reopen(Path file, long length) throws IOException {
        long size = Files.exists(file) ? Files.size(file) : -1;
        if (size < length) {
            throw new CheckpointException(file + ": the checkpoint recorded metricsBytes = " + length + " but the log has "
                    + (size < 0 ? "no file" : size + " bytes") + "; the log would have a gap");
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
        ch.truncate(length);
        ch.position(length);
        return new MetricsLog(file, ch);
    }

    /** Appends a {@code "type": "train"} line; tokens and tokens/s only when the task counts tokens. */
    void appendStep(StepRecord r) throws IOException {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("type", "train");
        line.put("step", r.step());
        line.put("epoch", r.epoch());
        line.put("loss", r.loss());
        line.put("task_loss", r.taskLoss());
        line.put("terms", r.terms());
        line.put("lambdas", r.lambdas());
        line.put("lr", r.lr());
        line.put("grad_norm", r.gradNorm());
        line.put("examples", r.examples());
        line.put("examples_per_s", r.examplesPerSecond());
        if (r.tokens() > 0) {
            line.put("tokens", r.tokens());
            line.put("tokens_per_s", r.tokensPerSecond());
        }
        line.put("elapsed_s", r.elapsedSeconds());
        append(line);
    }

    /** Appends a {@code "type": "eval"} line: step, epoch, every metric, eval_s. */
    void appendEval(EvalRecord r) throws IOException {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("type", "eval");
        line.put("step", r.step());
        line.put("epoch", r.epoch());
        line.putAll(r.metrics());
        line.put("eval_s", r.seconds());
        append(line);
    }

    /** Appends one line. */
    private void append(Map<String, Object> line) throws IOException {
        byte[] bytes = (Json.MAPPER.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    /** Forces the lines to disk and returns the file's length (what a checkpoint records). */
    long sync() throws IOException {
        channel.force(false);
        return channel.position();
    }

    /** @return the file */
    Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
