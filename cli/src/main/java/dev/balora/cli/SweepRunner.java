package dev.balora.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.balora.core.train.CheckpointException;
import dev.balora.core.train.Trainer;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.finetune.ValidationSelection;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * Runs the points of a {@link SweepGrid} in this JVM, one after the other: encoders are loaded once (per
 * {@code --model} name) and the JIT stays warm. Each point runs exactly as {@code balora finetune} with its options
 * ({@link FinetuneCommand#execute}), in {@code OUT/points/<id>/}, which therefore holds the same files as a finetune
 * run plus {@code point.json} and {@code command.txt}.
 *
 * <p>Resumable: a point with a final {@code point.json} is skipped (its recorded arguments must still be what the
 * grid resolves to); an unfinished one resumes from its checkpoint when the grid has it write checkpoints
 * ({@code checkpoint-every}) and restarts cleanly otherwise. A point whose arguments equal those of a finished point
 * shares its results ({@code same_as}) instead of training again. A point that fails (a non-finite loss, or any
 * error of the run itself; not a user error such as a missing file, which stops the sweep) is recorded as failed and the sweep goes on; the exit code is then 1.
 *
 * <p>Lanes: with {@code shards} &gt; 1 this runner takes the points whose grid index is {@code shard} mod
 * {@code shards}, and waits for other lanes' points when a reference needs their group's winner.
 */
final class SweepRunner {
    static final String POINTS_DIR = "points";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SweepGrid grid;
    private final Path out;
    private final int shard;
    private final int shards;
    private final Set<String> only;
    private Set<String> groups = Set.of();
    private final boolean retryFailed;
    private final boolean keepCheckpoints;
    private final PrintStream log;
    private final Map<String, PretrainedEncoder> encoders = new HashMap<>();
    private long pollMillis = 10_000;

    SweepRunner(SweepGrid grid, Path out, int shard, int shards, Set<String> only, boolean retryFailed,
                boolean keepCheckpoints, PrintStream log) {
        this.grid = grid;
        this.out = out;
        this.shard = shard;
        this.shards = shards;
        this.only = only;
        this.retryFailed = retryFailed;
        this.keepCheckpoints = keepCheckpoints;
        this.log = log;
    }

    /** Runs only the points of these groups (empty: all). */
    SweepRunner groups(Set<String> names) {
        for (String n : names) {
            if (grid.group(n) == null) {
                throw new UserInputException("--groups: " + grid.file() + " has no group '" + n + "'");
            }
        }
        groups = names;
        return this;
    }

    /** For tests: how long a lane sleeps between looks at another lane's progress. */
    SweepRunner pollMillis(long ms) {
        pollMillis = ms;
        return this;
    }

    Path pointDir(String id) {
        return out.resolve(POINTS_DIR).resolve(id);
    }

    /** The picocli model of {@code balora finetune}: which keys a grid may use, and which are flags. */
    static final CommandLine.Model.CommandSpec FINETUNE = new CommandLine(new FinetuneCommand()).getCommandSpec();

    /** @return whether {@code key} is a finetune option a grid may set */
    static boolean isFinetuneOption(String key) {
        return !key.equals("out") && !key.equals("resume") && !key.equals("help") && !key.equals("version")
                && FINETUNE.findOption("--" + key) != null;
    }

    /** @return the finetune arguments of resolved options (flags: present when "true", absent when "false") */
    static List<String> arguments(Map<String, String> options) {
        List<String> args = new ArrayList<>();
        options.forEach((k, v) -> {
            CommandLine.Model.OptionSpec o = FINETUNE.findOption("--" + k);
            if (o != null && o.arity().max() == 0) {
                if (Boolean.parseBoolean(v)) {
                    args.add("--" + k);
                }
            } else {
                args.add("--" + k);
                args.add(v);
            }
        });
        return args;
    }

    /** Parses finetune arguments into a command, as {@code balora finetune} would. */
    static FinetuneCommand finetune(String where, List<String> args) {
        FinetuneCommand fc = new FinetuneCommand();
        try {
            new CommandLine(fc).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new UserInputException(where + ": " + e.getMessage());
        }
        if (!fc.task.equalsIgnoreCase("classification")) {
            throw new UserInputException(where + ": balora sweep runs classification fine-tunes (task '" + fc.task + "')");
        }
        if (fc.train == null || fc.eval == null) {
            throw new UserInputException(where + ": every point needs train and eval");
        }
        return fc;
    }

    /** Checks every point whose values are all literal before anything runs: a bad value fails now, not hours in. */
    void validate() {
        for (SweepGrid.Point p : grid.points()) {
            if (p.references().isEmpty()) {
                finetune(grid.file() + ": point " + p.id(), arguments(p.options())).training.toOptions();
            }
        }
    }

    /** Runs this lane's points; returns 0, or 1 when a point failed. */
    int run() throws Exception {
        validate();
        Files.createDirectories(out.resolve(POINTS_DIR));
        log.printf("%s balora sweep %s: %d points in %d groups -> %s%s%n", now(), grid.name(), grid.points().size(),
                grid.groups().size(), out, shards > 1 ? " (lane " + shard + " of " + shards + ")" : "");
        log.println(now() + " backend: " + dev.balora.core.backend.Backends.active().name() + ", threads "
                + System.getProperty("balora.threads", "(available processors)"));
        int failed = 0;
        for (SweepGrid.Point p : grid.points()) {
            if (!mine(p)) {
                continue;
            }
            if (!runPoint(p)) {
                failed++;
            }
            SweepTable.write(grid, out);
        }
        SweepTable.write(grid, out);
        log.println(now() + " sweep " + (failed == 0 ? "done" : "done with " + failed + " failed point(s)") + ": "
                + out.resolve(SweepTable.MARKDOWN));
        return failed == 0 ? 0 : 1;
    }

    private boolean mine(SweepGrid.Point p) {
        return (only.isEmpty() || only.contains(p.id())) && (groups.isEmpty() || groups.contains(p.group()))
                && p.index() % shards == shard;
    }

    /** @return false when the point failed */
    private boolean runPoint(SweepGrid.Point p) throws Exception {
        Path dir = pointDir(p.id());
        SweepPointRecord existing = SweepPointRecord.read(dir);
        Map<String, String> options = resolve(p, true);
        List<String> args = arguments(options);
        if (existing != null && existing.terminal()) {
            if (!existing.args().equals(args)) {
                throw new UserInputException(dir.resolve(SweepPointRecord.FILE) + ": point " + p.id() + " ran with "
                        + existing.args() + " but the grid now resolves it to " + args
                        + "; move its folder away to run it again");
            }
            if (!(retryFailed && !SweepPointRecord.DONE.equals(existing.status()))) {
                log.println(now() + " " + p.id() + ": " + existing.status() + " already");
                return !SweepPointRecord.FAILED.equals(existing.status());
            }
        }
        Files.createDirectories(dir);
        try (FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = ch.tryLock()) {
            if (lock == null) {
                log.println(now() + " " + p.id() + ": another process is running it; skipped");
                return true;
            }
            SweepPointRecord twin = finishedTwin(p, options);
            if (twin != null) {
                clean(dir);
                new SweepPointRecord(p.id(), p.group(), SweepPointRecord.DONE, options, args, twin.id(), twin.validation(),
                        twin.test(), twin.bestStep(), twin.steps(), twin.stoppedEarly(), twin.notConverged(),
                        twin.trainSeconds(), 0, null).write(dir);
                log.println(now() + " " + p.id() + ": same options as " + twin.id() + ", results shared");
                return true;
            }
            return train(p, dir, options, args, existing);
        }
    }

    private boolean train(SweepGrid.Point p, Path dir, Map<String, String> options, List<String> args,
                          SweepPointRecord existing) throws Exception {
        FinetuneCommand fc = finetune(grid.file() + ": point " + p.id(), args);
        boolean resume = existing != null && SweepPointRecord.RUNNING.equals(existing.status())
                && existing.args().equals(args) && Files.isRegularFile(dir.resolve(Trainer.CHECKPOINT_DIR)
                .resolve(dev.balora.core.train.CheckpointStore.STATE_FILE));
        if (!resume) {
            clean(dir);
        }
        SweepPointRecord running = SweepPointRecord.running(p, options, args);
        running.write(dir);
        dev.balora.core.io.AtomicFiles.writeString(dir.resolve("command.txt"), commandLine(args, dir) + "\n");
        log.println(now() + " " + p.id() + ": " + (resume ? "resuming from its checkpoint" : "running"));
        long t0 = System.nanoTime();
        try {
            try {
                fc.execute(this::encoder, dir, control(fc, resume), false, List.of());
            } catch (CheckpointException e) {
                if (!resume) {
                    throw e;
                }
                log.println(now() + " " + p.id() + ": its checkpoint cannot be resumed (" + e.getMessage()
                        + "); starting it again");
                clean(dir);
                running.write(dir);
                dev.balora.core.io.AtomicFiles.writeString(dir.resolve("command.txt"), commandLine(args, dir) + "\n");
                fc = finetune(grid.file() + ": point " + p.id(), args);
                fc.execute(this::encoder, dir, control(fc, false), false, List.of());
            }
        } catch (Exception e) {
            if (UserErrors.isUserError(e)) {
                throw e; // the grid's input is wrong (a missing file, a bad value): later points would fail the same way
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            running.failed(String.valueOf(e.getMessage()), wall).write(dir);
            log.println(now() + " " + p.id() + ": FAILED: " + e);
            return false;
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        SweepPointRecord done = finished(p.id(), p.group(), options, args, dir, SweepPointRecord.DONE, wall);
        if (!keepCheckpoints) {
            deleteTree(dir.resolve(Trainer.CHECKPOINT_DIR));
        }
        done.write(dir);
        log.printf("%s %s: done, validation accuracy %.4f%s, %d steps%s, %.0f s%n", now(), p.id(),
                done.validation().getOrDefault("accuracy", Double.NaN),
                done.test() == null ? "" : String.format(java.util.Locale.ROOT, ", test accuracy %.4f",
                        done.test().getOrDefault("accuracy", Double.NaN)),
                done.steps(), done.stoppedEarly() ? " (stopped early)" : "", wall);
        return true;
    }

    /** Checkpoints at the point's --checkpoint-every; {@code resume} continues the checkpoint in its folder. */
    static dev.balora.core.train.RunControl control(FinetuneCommand fc, boolean resume) {
        return dev.balora.core.train.RunControl.checkpointEvery(fc.resumable.checkpointEvery).resuming(resume);
    }

    /** The point's record, built from the files a finetune run leaves (the runner's and adopted runs alike). */
    static SweepPointRecord finished(String id, String group, Map<String, String> options, List<String> args, Path dir,
                                     String status, double wall) throws IOException {
        JsonNode summary = readJson(dir.resolve(Trainer.SUMMARY_FILE));
        JsonNode selection = readJson(dir.resolve(RunOutputs.SELECTION_FILE));
        JsonNode test = readJson(dir.resolve(PredictionsFile.TEST_METRICS_NAME));
        Map<String, Double> validation = numbers(selection != null ? selection.get("best_eval")
                : summary != null ? summary.get("final_eval") : null);
        long steps = summary != null ? summary.path("steps").asLong() : 0;
        long bestStep = selection != null ? selection.path("best_step").asLong() : steps;
        boolean stopped = selection != null ? selection.path("stopped_early").asBoolean()
                : summary != null && summary.path("stopped_early").asBoolean();
        boolean notConverged = selection != null && selection.path("not_converged").asBoolean();
        double train = summary != null ? summary.path("elapsed_s").asDouble() : 0;
        return new SweepPointRecord(id, group, status, options, args, null, validation, test == null ? null : numbers(test),
                bestStep, steps, stopped, notConverged, train, wall, null);
    }

    private static JsonNode readJson(Path f) throws IOException {
        return Files.isRegularFile(f) ? JSON.readTree(f.toFile()) : null;
    }

    private static Map<String, Double> numbers(JsonNode n) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (n != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isNumber()) {
                    m.put(e.getKey(), e.getValue().asDouble());
                }
            }
        }
        return m;
    }

    /** @return a finished point (any group) with the same options (whatever their order), or null */
    private SweepPointRecord finishedTwin(SweepGrid.Point p, Map<String, String> resolvedOptions) throws IOException {
        for (SweepGrid.Point q : grid.points()) {
            if (q.id().equals(p.id())) {
                continue;
            }
            SweepPointRecord r = SweepPointRecord.read(pointDir(q.id()));
            if (r != null && SweepPointRecord.DONE.equals(r.status()) && r.sameAs() == null && r.options() != null
                    && new java.util.TreeMap<>(r.options()).equals(new java.util.TreeMap<>(resolvedOptions))) {
                return r;
            }
        }
        return null;
    }

    /**
     * Resolves a point's references.
     *
     * @param wait when a referenced group is unfinished: wait for it (another lane runs it) or, with a single lane,
     *             fail with a clear message
     * @return the resolved options, or null when {@code wait} is false and a referenced group is unfinished
     */
    Map<String, String> resolve(SweepGrid.Point p, boolean wait) throws IOException, InterruptedException {
        Map<String, String> resolved = new LinkedHashMap<>(p.options());
        for (Map.Entry<String, SweepGrid.Reference> e : p.references().entrySet()) {
            SweepGrid.Reference ref = e.getValue();
            SweepPointRecord winner = winner(ref.group());
            while (winner == null) {
                if (!wait) {
                    return null;
                }
                if (shards == 1 && only.isEmpty() && groups.isEmpty()) {
                    // a point of that group was locked by another process when this runner reached it
                    throw new UserInputException(out + ": point " + p.id() + " needs the winner of group " + ref.group()
                            + ", which has a point another process is running; run this sweep again when it is done");
                }
                if (shards == 1) {
                    throw new UserInputException(grid.file() + ": point " + p.id() + " needs the winner of group "
                            + ref.group() + ", which has not finished in " + out + " (run that group first)");
                }
                Thread.sleep(pollMillis);
                winner = winner(ref.group());
            }
            String v = winner.options().get(ref.key());
            if (v == null) {
                throw new UserInputException(grid.file() + ": point " + p.id() + ": the winner of group " + ref.group()
                        + " (" + winner.id() + ") has no option '" + ref.key() + "'");
            }
            resolved.put(e.getKey(), v);
        }
        return resolved;
    }

    /**
     * @return the winning record of a group (validation accuracy, then loss, then grid order), or null while any of
     *     its points is unfinished
     * @throws UserInputException when every point of the group failed or was stopped
     */
    SweepPointRecord winner(String group) throws IOException {
        SweepPointRecord best = null;
        for (SweepGrid.Point q : grid.group(group).points()) {
            SweepPointRecord r = SweepPointRecord.read(pointDir(q.id()));
            if (r == null || !r.terminal()) {
                return null;
            }
            if (SweepPointRecord.DONE.equals(r.status()) && r.validation() != null
                    && (best == null || ValidationSelection.compare(r.validation(), best.validation()) > 0)) {
                best = r;
            }
        }
        if (best == null) {
            throw new UserInputException(out + ": every point of group " + group + " failed or was stopped; it has no winner");
        }
        return best;
    }

    /** One line per point for {@code --plan}: status, resolved arguments where the references allow. */
    Map<String, Object> plan() throws IOException, InterruptedException {
        List<Map<String, Object>> points = new ArrayList<>();
        for (SweepGrid.Point p : grid.points()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", p.id());
            m.put("group", p.group());
            m.put("index", p.index());
            SweepPointRecord r = SweepPointRecord.read(pointDir(p.id()));
            m.put("status", r == null ? "pending" : r.status());
            Map<String, String> options;
            List<String> waiting = new ArrayList<>();
            try {
                options = resolve(p, false);
            } catch (UserInputException e) {
                options = null;
                m.put("error", e.getMessage());
            }
            if (options == null) {
                for (SweepGrid.Reference ref : p.references().values()) {
                    if (!waiting.contains(ref.group())) {
                        waiting.add(ref.group());
                    }
                }
            }
            m.put("args", options == null ? null : arguments(options));
            m.put("waiting_for", waiting);
            points.add(m);
        }
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("name", grid.name());
        plan.put("grid", grid.file().toString());
        plan.put("out", out.toString());
        plan.put("points", points);
        return plan;
    }

    /**
     * Takes a run folder made elsewhere (a Ray Tune trial running {@code balora finetune} with the plan's arguments)
     * into the sweep as point {@code id}: copied into {@code OUT/points/<id>} and recorded with {@code status}.
     *
     * @param from the finished (or, for {@code stopped}, partial) run folder; may be null for a stopped point whose
     *             folder was not kept
     */
    void adopt(String id, Path from, String status) throws Exception {
        SweepGrid.Point p = grid.points().stream().filter(q -> q.id().equals(id)).findFirst()
                .orElseThrow(() -> new UserInputException(grid.file() + ": no point '" + id + "'"));
        if (!Set.of(SweepPointRecord.DONE, SweepPointRecord.STOPPED, SweepPointRecord.FAILED).contains(status)) {
            throw new UserInputException("--adopt-status: expected done, stopped or failed, got '" + status + "'");
        }
        Map<String, String> options = resolve(p, false);
        if (options == null) {
            throw new UserInputException(grid.file() + ": point " + id + " needs groups " + p.references().values()
                    + " to finish first");
        }
        List<String> args = arguments(options);
        Path dir = pointDir(id);
        SweepPointRecord existing = SweepPointRecord.read(dir);
        if (existing != null && SweepPointRecord.DONE.equals(existing.status())) {
            throw new UserInputException(dir + ": point " + id + " is already done; move it away to adopt another run");
        }
        if (SweepPointRecord.DONE.equals(status) && (from == null || !Files.isRegularFile(from.resolve(Trainer.SUMMARY_FILE)))) {
            throw new UserInputException("--from " + from + ": not a finished balora finetune run (no summary.json)");
        }
        Path tmp = out.resolve(POINTS_DIR).resolve("." + id + ".adopt");
        deleteTree(tmp);
        if (from != null && Files.isDirectory(from)) {
            copyTree(from, tmp);
        } else {
            Files.createDirectories(tmp);
        }
        deleteTree(dir);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        dev.balora.core.io.AtomicFiles.writeString(dir.resolve("command.txt"), commandLine(args, dir) + "\n");
        SweepPointRecord r = SweepPointRecord.DONE.equals(status)
                ? finished(id, p.group(), options, args, dir, status, 0)
                : new SweepPointRecord(id, p.group(), status, options, args, null, null, null, -1, 0, false, false, 0, 0,
                        SweepPointRecord.STOPPED.equals(status) ? "stopped by the scheduler" : "failed in the trial");
        r.write(dir);
        SweepTable.write(grid, out);
    }

    private PretrainedEncoder encoder(String name) throws IOException {
        PretrainedEncoder e = encoders.get(name);
        if (e == null) {
            log.println(now() + " loading " + name);
            e = PretrainedEncoder.load(name);
            encoders.put(name, e);
        }
        return e;
    }

    /** The equivalent single command (shell-quoted). */
    static String commandLine(List<String> args, Path dir) {
        StringBuilder sb = new StringBuilder("balora finetune");
        List<String> all = new ArrayList<>(args);
        all.add("--out");
        all.add(dir.toString());
        for (String a : all) {
            sb.append(' ').append(a.matches("[A-Za-z0-9._/=+:,@%-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return sb.toString();
    }

    /** Empties a point folder (its lock file stays: this process holds it). */
    private static void clean(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                if (!f.getFileName().toString().equals(".lock")) {
                    deleteTree(f);
                }
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path f : s.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else if (!f.getFileName().toString().equals(".lock")) {
                    Files.copy(f, t, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static String now() {
        return "[" + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + "]";
    }
}
