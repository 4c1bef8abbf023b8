package dev.balora.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.balora.core.backend.BackendUnavailableException;
import dev.balora.core.backend.Backends;
import dev.balora.core.backend.Device;
import dev.balora.core.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The command line that started a training run, saved as {@code balora-run.json} in its output folder so that
 * {@code balora <command> --resume DIR} continues it with exactly the same settings, from any working directory:
 * path options are saved absolute, and the files they name are fingerprinted (size and SHA-256) so that a resume
 * refuses data that changed since the start.
 *
 * @param format    {@link #FORMAT}
 * @param command   the subcommand ("finetune", "finetune-lm", "pretrain")
 * @param device    the {@code --device} it ran on (auto, cpu, cuda): a resume uses it too, since only the same
 *                  backend continues bit for bit
 * @param arguments its options as given, without {@code --out}, {@code --resume}, {@code --device} and help
 * @param inputs    the files the options name
 */
record RunArguments(int format, String command, String device, List<String> arguments, List<Input> inputs) {
    /** The file's name in an output folder. */
    static final String FILE = "balora-run.json";
    static final int FORMAT = 1;
    /** Options that are not saved: where the run goes, how it is resumed, and help. */
    private static final Set<String> NOT_SAVED = Set.of("--out", "--resume");
    /** Options that name input files: their contents are fingerprinted (outputs such as --predictions are not). */
    private static final Set<String> INPUTS = Set.of("--train", "--eval", "--test", "--text", "--tokenizer");
    /**
     * Options a resume may set anew: how the run is kept, and where it runs (continuing on another device than the
     * one it started on is allowed, e.g. after the GPU machine is gone, but is then not bit for bit).
     */
    static final Set<String> RESUME_MAY_SET = Set.of("--resume", "--checkpoint-every", "--device");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * A file an option named when the run started.
     *
     * @param option the option
     * @param path   the absolute path
     * @param bytes  its size
     * @param sha256 its SHA-256, hex
     */
    record Input(String option, String path, long bytes, String sha256) {}

    /** @return the options the user gave to {@code spec}'s command, paths made absolute */
    static RunArguments of(CommandSpec spec) throws IOException {
        ParseResult parsed = spec.commandLine().getParseResult();
        List<String> args = new ArrayList<>();
        List<Input> inputs = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            String name = o.longestName();
            // --device is the root command's (inherited by every subcommand): saved on its own below.
            if (!parsed.hasMatchedOption(o) || o.usageHelp() || o.versionHelp() || o.inherited() || NOT_SAVED.contains(name)) {
                continue;
            }
            Object value = o.getValue();
            if (o.arity().max() == 0) { // a flag
                if (Boolean.TRUE.equals(value)) {
                    args.add(name);
                }
                continue;
            }
            // A list option is saved as the option repeated once per element (picocli collects them again).
            for (Object v : value instanceof Collection<?> c ? c : List.of(value)) {
                args.add(name);
                args.add(text(v));
                if (v instanceof Path p && INPUTS.contains(name) && Files.isRegularFile(p)) {
                    inputs.add(fingerprint(name, p));
                }
            }
        }
        String device = Main.device(spec).name().toLowerCase(java.util.Locale.ROOT);
        return new RunArguments(FORMAT, spec.name(), device, List.copyOf(args), List.copyOf(inputs));
    }

    private static String text(Object v) {
        if (v instanceof Path p) {
            return p.toAbsolutePath().normalize().toString();
        }
        return String.valueOf(v); // Double.toString reads back to the same bits
    }

    private static Input fingerprint(String option, Path p) throws IOException {
        Path abs = p.toAbsolutePath().normalize();
        return new Input(option, abs.toString(), Files.size(abs), sha256(abs));
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Writes this record into {@code dir} (atomically). */
    void save(Path dir) throws IOException {
        AtomicFiles.writeString(dir.resolve(FILE), JSON.writeValueAsString(this));
    }

    /**
     * @return the record saved in {@code dir}
     * @throws UserInputException when there is none or it is unreadable
     */
    static RunArguments read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        RunArguments r;
        try {
            r = JSON.readValue(Files.readString(file), RunArguments.class);
        } catch (NoSuchFileException e) {
            throw new UserInputException(dir + ": no " + FILE + " here, so there is no balora run to resume in this "
                    + "folder (--resume takes the --out folder of a run that was stopped)");
        } catch (JacksonException e) {
            throw new UserInputException(file + ": malformed (" + e.getOriginalMessage() + ")");
        }
        if (r.format() != FORMAT || r.command() == null || r.arguments() == null) {
            throw new UserInputException(file + ": expected format " + FORMAT + " with keys command and arguments");
        }
        return r;
    }

    /** @throws UserInputException when a file the run started with has changed or is gone */
    void checkInputsUnchanged() throws IOException {
        for (Input in : inputs == null ? List.<Input>of() : inputs) {
            Path p = Path.of(in.path());
            if (!Files.isRegularFile(p)) {
                throw new UserInputException(in.option() + " " + p + ": the run started with this file and it is gone; "
                        + "a resumed run must read the same data");
            }
            if (Files.size(p) != in.bytes() || !sha256(p).equals(in.sha256())) {
                throw new UserInputException(in.option() + " " + p + ": the file changed since the run started (its "
                        + "SHA-256 differs); a resumed run must read the same data");
            }
        }
    }

    /**
     * Continues the run saved in {@code dir} with the command of {@code spec}: checks the folder holds a run of that
     * command whose inputs are unchanged, parses the saved options into a fresh instance of the command (plus any
     * {@link #RESUME_MAY_SET} option given now), and runs it as a continuation.
     *
     * @param spec the command as invoked with {@code --resume DIR}
     * @return the command's exit code
     */
    static int resume(CommandSpec spec, Path dir) throws Exception {
        ParseResult now = spec.commandLine().getParseResult();
        for (OptionSpec o : now.matchedOptions()) {
            if (!RESUME_MAY_SET.contains(o.longestName())) {
                throw new UserInputException("--resume " + dir + " continues the run with the options saved in " + FILE
                        + "; leave out " + o.longestName() + " (or start a new run with another --out)");
            }
        }
        if (!Files.isDirectory(dir)) {
            throw new UserInputException("--resume " + dir + ": no such folder");
        }
        RunArguments saved = read(dir);
        if (!saved.command().equals(spec.name())) {
            throw new UserInputException(dir + " holds a run of balora " + saved.command() + "; continue it with: balora "
                    + saved.command() + " --resume " + dir);
        }
        saved.checkInputsUnchanged();
        useSavedDevice(spec, saved);
        List<String> args = new ArrayList<>(saved.arguments());
        args.add("--out");
        args.add(dir.toString());
        for (OptionSpec o : now.matchedOptions()) {
            if (o.longestName().equals("--checkpoint-every")) {
                args.add(o.longestName());
                args.add(String.valueOf(o.getValue()));
            }
        }
        CommandLine cl = new CommandLine(spec.userObject().getClass()).setOverwrittenOptionsAllowed(true);
        try {
            cl.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new UserInputException(dir.resolve(FILE) + ": the saved options no longer parse (" + e.getMessage() + ")");
        }
        ResumableCommand command = cl.getCommand();
        command.continueRun();
        return command.call();
    }

    /**
     * Runs on the device the run started on, unless this command line chose one ({@link Main} has then applied it):
     * an {@code auto} run resumes by the same rule, a {@code cpu} or {@code cuda} run on the same backend.
     */
    private static void useSavedDevice(CommandSpec spec, RunArguments saved) {
        if (Main.device(spec) != Device.AUTO || saved.device() == null) {
            return;
        }
        Device d;
        try {
            d = Device.parse(saved.device());
        } catch (IllegalArgumentException e) {
            throw new UserInputException(FILE + ": key device: " + e.getMessage());
        }
        if (d == Device.AUTO) {
            return;
        }
        try {
            Backends.use(d);
        } catch (BackendUnavailableException e) {
            throw new UserInputException("the run started with --device " + saved.device() + ", which is unavailable "
                    + "here (" + e.getMessage() + "); add --device to continue elsewhere (then not bit for bit)");
        }
    }

    /** A training command that can continue a run from its saved command line. */
    interface ResumableCommand extends java.util.concurrent.Callable<Integer> {
        /** Marks this instance (parsed from a saved command line) as continuing the run in its --out folder. */
        void continueRun();
    }
}
