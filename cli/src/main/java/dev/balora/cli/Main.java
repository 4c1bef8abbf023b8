package dev.balora.cli;

import dev.balora.core.backend.BackendUnavailableException;
import dev.balora.core.backend.Backends;
import dev.balora.core.backend.Device;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code balora} command. Exit codes: 0 ok, 2 bad usage or input, 1 failure, 130 stopped by Ctrl-C (143 by
 * SIGTERM) with a checkpoint saved.
 */
@Command(name = "balora", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Fine-tune transformer models with BA-LoRA (bias-aware low-rank adaptation), in pure Java.",
        subcommands = {DemoCommand.class, FinetuneCommand.class, EvalCommand.class, ExportCommand.class, MergeCommand.class,
                PretrainCommand.class, FinetuneLmCommand.class, SweepCommand.class, GenerateCommand.class, ScoreLmCommand.class,
                InfoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code for bad usage or bad input (a missing file, a malformed row…). */
    public static final int EXIT_BAD_INPUT = 2;
    /** Exit code for any other failure. */
    public static final int EXIT_FAILURE = 1;
    /**
     * Exit code of a training run stopped by a stop request, its checkpoint saved (128 + SIGINT, as a shell reports
     * Ctrl-C; a JVM that exits on SIGTERM reports 143 itself).
     */
    public static final int EXIT_STOPPED = 130;

    /**
     * {@code --device auto|cpu|cuda}, accepted by every subcommand (picocli inherits it) and applied before the
     * subcommand runs, so models load straight onto the chosen backend.
     */
    @Option(names = "--device", scope = CommandLine.ScopeType.INHERIT, paramLabel = "auto|cpu|cuda",
            defaultValue = "auto", description = "where to run: auto (the GPU when one is usable, else the CPU), cpu, "
            + "or cuda (fails with the reason when no usable GPU is found). Default: ${DEFAULT-VALUE}")
    void device(String value) {
        try {
            device = Device.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--device: " + e.getMessage());
        }
    }

    private Device device = Device.AUTO;

    /** @return the --device of the command line {@code spec} belongs to (AUTO when it was not run through Main) */
    static Device device(CommandLine.Model.CommandSpec spec) {
        return spec.root().userObject() instanceof Main m ? m.device : Device.AUTO;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Runs the command line and returns the exit code (tests call this; {@link #main} exits with it). */
    public static int execute(String... args) {
        try {
            Backends.checkSettings(); // -Dbalora.threads=-1 must not fall back silently to the reference backend
        } catch (BackendUnavailableException e) {
            System.err.println("balora: " + e.getMessage());
            return EXIT_BAD_INPUT;
        }
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (UserErrors.isUserError(ex)) {
                cmd.getErr().println("balora: " + UserErrors.message(ex));
                return EXIT_BAD_INPUT;
            }
            cmd.getErr().println("balora: failed: " + ex);
            ex.printStackTrace(cmd.getErr());
            return EXIT_FAILURE;
        });
        // Apply --device once the command line is parsed, before the subcommand touches a tensor.
        cl.setExecutionStrategy(parsed -> {
            Main main = parsed.commandSpec().commandLine().getCommand();
            if (main.device != Device.AUTO) {
                try {
                    Backends.use(main.device);
                } catch (BackendUnavailableException e) {
                    cl.getErr().println("balora: --device " + main.device.name().toLowerCase(java.util.Locale.ROOT)
                            + ": " + e.getMessage());
                    return EXIT_BAD_INPUT;
                }
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        return cl.execute(args);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Reports the library version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"balora " + dev.balora.core.Balora.version(), "Java " + Runtime.version()};
        }
    }
}
