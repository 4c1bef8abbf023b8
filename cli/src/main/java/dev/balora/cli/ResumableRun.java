package dev.balora.cli;

import dev.balora.core.train.RunControl;
import dev.balora.core.train.RunDirectory;
import dev.balora.core.train.StopSignal;
import dev.balora.core.train.Trainer;
import dev.balora.core.train.TrainingStoppedException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * A command-line training run in its output folder, made to survive Ctrl-C and crashes:
 * <ul>
 *   <li>a fresh run refuses a folder that holds an earlier run (one line naming {@code --resume}, exit 2) and saves
 *       its command line ({@link RunArguments}); a continued run checks there is something to continue;</li>
 *   <li>while it is open, SIGINT / SIGTERM (Ctrl-C, {@code kill}) request a stop instead of killing the JVM: the
 *       trainer finishes its step and commits a checkpoint, the command says how to continue, and only then does
 *       the JVM exit (130 for SIGINT, 143 for SIGTERM);</li>
 *   <li>{@link #control} is the {@link RunControl} for the run; {@link #completed} removes the checkpoint once every
 *       output is written.</li>
 * </ul>
 */
final class ResumableRun implements AutoCloseable {
    /** The options every resumable command has. */
    static final class Options {
        @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "50", description = "commit a checkpoint "
                + "every N optimizer steps (also when stopped by Ctrl-C or SIGTERM, and at the end); 0 = only when "
                + "stopped (default: ${DEFAULT-VALUE})")
        long checkpointEvery;
        @Option(names = "--resume", paramLabel = "DIR", description = "continue the stopped or crashed run in DIR with "
                + "the options it was started with (saved in DIR/" + RunArguments.FILE + "); its curve continues bit for bit")
        Path resume;
    }

    private final String command;
    private final Path dir;
    private final long checkpointEvery;
    private final PrintStream err;
    private final StopSignal signal = new StopSignal();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    private ResumableRun(String command, Path dir, long checkpointEvery, PrintStream err) {
        this.command = command;
        this.dir = dir;
        this.checkpointEvery = checkpointEvery;
        this.err = err;
        this.hook = new Thread(this::stopOnSignal, "balora-stop");
    }

    /**
     * Checks the folder, saves the command line of a fresh run and starts handling SIGINT / SIGTERM.
     *
     * @param spec       the command as parsed (its options are what a fresh run saves)
     * @param dir        the output folder
     * @param continuing true when continuing the run in {@code dir} ({@code --resume})
     * @throws UserInputException when a fresh run's folder holds an earlier run, or a continued one has nothing left
     */
    static ResumableRun open(CommandSpec spec, Path dir, boolean continuing, long checkpointEvery) throws IOException {
        if (checkpointEvery < 0) {
            throw new UserInputException("--checkpoint-every: expected N >= 0 (0 = only when stopped), got " + checkpointEvery);
        }
        String command = spec.name();
        RunDirectory run = new RunDirectory(dir);
        RunDirectory.State state = run.state();
        if (!continuing) {
            if (state == RunDirectory.State.UNFINISHED) {
                throw new UserInputException(dir + " holds an unfinished run (" + run.progress() + "): continue it with "
                        + "`balora " + savedCommand(dir, command) + " --resume " + dir + "`, or choose another --out");
            }
            if (state == RunDirectory.State.FINISHED) {
                throw new UserInputException(dir + " holds a finished run (" + Trainer.SUMMARY_FILE + "); choose another --out");
            }
            Files.createDirectories(dir);
            RunArguments.of(spec).save(dir);
        } else if (state == RunDirectory.State.FINISHED && !run.checkpoints().exists()) {
            throw new UserInputException(dir + ": this run finished and its outputs are written; there is nothing to resume");
        }
        ResumableRun r = new ResumableRun(command, dir, checkpointEvery, System.err);
        Runtime.getRuntime().addShutdownHook(r.hook);
        return r;
    }

    private static String savedCommand(Path dir, String fallback) {
        try {
            return RunArguments.read(dir).command();
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }

    /** The shutdown hook: ask the trainer to stop, then hold the JVM until the command has saved and reported. */
    private void stopOnSignal() {
        signal.request();
        err.println();
        err.println("balora: stopping: the current step finishes, then a checkpoint is saved (kill -9 stops at once "
                + "and loses the steps since the last checkpoint)");
        try {
            finished.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the run's control: checkpoint interval, resume or not, and this run's stop signal */
    RunControl control(boolean continuing) {
        return RunControl.checkpointEvery(checkpointEvery).resuming(continuing).stoppingOn(signal);
    }

    /** Reports a stopped run on standard error; @return {@link Main#EXIT_STOPPED} */
    int stopped(TrainingStoppedException e) {
        err.println();
        if (e.checkpointDir() == null) {
            err.println("balora: stopped before the first step; nothing to save. Start it again with: balora " + command
                    + " --resume " + dir);
        } else {
            err.println("balora: stopped after step " + e.step() + " of " + e.totalSteps() + "; checkpoint saved. "
                    + "Continue with: balora " + command + " --resume " + dir);
        }
        return Main.EXIT_STOPPED;
    }

    /** Every output is written: the checkpoint is no longer needed (a finished run is not resumed). */
    void completed() throws IOException {
        Path ckpt = dir.resolve(Trainer.CHECKPOINT_DIR);
        if (Files.isDirectory(ckpt)) {
            try (Stream<Path> files = Files.walk(ckpt)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Lets a pending shutdown proceed and stops handling signals. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting (a signal came): the hook is running and now returns
        }
    }
}
