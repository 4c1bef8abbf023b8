package dev.balora.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code balora} command. Exit codes: 0 ok, 2 bad usage or input, 1 failure. */
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

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Runs the command line and returns the exit code (tests call this; {@link #main} exits with it). */
    public static int execute(String... args) {
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
