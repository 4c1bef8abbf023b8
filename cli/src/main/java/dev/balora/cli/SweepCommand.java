package dev.balora.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code balora sweep GRID.json|yaml}: every point of a grid of classification fine-tunes, in one JVM (see
 * {@link SweepGrid} for the file, {@link SweepRunner} for resuming and {@link SweepTable} for the table).
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Run every point of a grid of balora finetune runs in one JVM (models loaded once), resumably.",
                "Each point writes the files of balora finetune to OUT/points/<id>/ (plus point.json, command.txt);",
                "OUT/sweep.tsv and OUT/sweep.md hold the table. Rerun the same command to continue after a stop."})
final class SweepCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "GRID", description = "grid file (.json, .yaml or .yml)")
    Path gridFile;
    @Option(names = "--out", description = "sweep folder (default: runs/sweep-<grid name>)")
    Path out;
    @Option(names = "--only", split = ",", description = "run only these point ids (their references must be resolvable)")
    List<String> only;
    @Option(names = "--groups", split = ",", description = "run only the points of these groups (e.g. stage A of a "
            + "protocol, to check its winners before the later groups use them)")
    List<String> groupNames;
    @Option(names = "--lanes", split = ",", paramLabel = "CPU", description = "run one lane per listed CPU, each a child "
            + "JVM pinned with taskset -c CPU taking every n-th point (e.g. --lanes 0,1)")
    List<Integer> lanes;
    @Option(names = "--shard", paramLabel = "I/N", description = "run only the points whose index is I mod N (what each "
            + "lane of --lanes runs); waits for other lanes' groups when a reference needs them")
    String shardSpec;
    @Option(names = "--retry-failed", description = "run failed and stopped points again")
    boolean retryFailed;
    @Option(names = "--keep-checkpoints", description = "keep each finished point's checkpoint/ (default: deleted; "
            + "best/ and adapter/ stay)")
    boolean keepCheckpoints;
    @Option(names = "--plan", description = "print the expanded points as JSON (status, resolved finetune arguments, the "
            + "groups a point waits for) and run nothing")
    boolean plan;
    @Option(names = "--adopt", paramLabel = "ID", description = "record a run made elsewhere (e.g. a Ray Tune trial of "
            + "tools/ray_sweep.py) as point ID: its folder --from is copied into the sweep")
    String adoptId;
    @Option(names = "--from", description = "with --adopt: the run folder")
    Path adoptFrom;
    @Option(names = "--adopt-status", defaultValue = "done", description = "with --adopt: done | stopped | failed (default: ${DEFAULT-VALUE})")
    String adoptStatus;

    @Override
    public Integer call() throws Exception {
        SweepGrid grid = SweepGrid.read(gridFile, SweepRunner::isFinetuneOption);
        Path dir = out != null ? out : Path.of("runs", "sweep-" + grid.name().replaceAll("[^A-Za-z0-9._-]+", "-"));
        int shard = 0;
        int shards = 1;
        if (shardSpec != null) {
            String[] parts = shardSpec.split("/");
            try {
                shard = Integer.parseInt(parts[0].trim());
                shards = Integer.parseInt(parts[1].trim());
            } catch (RuntimeException e) {
                throw new UserInputException("--shard: expected I/N, got '" + shardSpec + "'");
            }
            if (shards < 1 || shard < 0 || shard >= shards || parts.length != 2) {
                throw new UserInputException("--shard: expected 0 <= I < N, got '" + shardSpec + "'");
            }
        }
        Set<String> onlyIds = only == null ? Set.of() : new LinkedHashSet<>(only);
        for (String id : onlyIds) {
            if (grid.points().stream().noneMatch(p -> p.id().equals(id))) {
                throw new UserInputException("--only: " + gridFile + " has no point '" + id + "'");
            }
        }
        SweepRunner runner = new SweepRunner(grid, dir, shard, shards, onlyIds, retryFailed, keepCheckpoints, System.out)
                .groups(groupNames == null ? Set.of() : new LinkedHashSet<>(groupNames));
        if (plan) {
            runner.validate();
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(runner.plan()));
            return 0;
        }
        if (adoptId != null) {
            runner.adopt(adoptId, adoptFrom, adoptStatus);
            System.out.println("adopted " + adoptId + " (" + adoptStatus + ") into " + runner.pointDir(adoptId));
            return 0;
        }
        if (lanes != null && !lanes.isEmpty()) {
            if (shardSpec != null) {
                throw new UserInputException("--lanes and --shard exclude each other (--lanes starts the shards)");
            }
            runner.validate();
            return runLanes(dir);
        }
        return runner.run();
    }

    /** Starts one child JVM per CPU (taskset -c CPU … sweep GRID --shard i/n), waits for all, writes the table. */
    private int runLanes(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("lanes"));
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new UserInputException("--lanes: cannot find this JVM's executable"));
        List<Process> children = new ArrayList<>();
        for (int i = 0; i < lanes.size(); i++) {
            List<String> cmd = new ArrayList<>(List.of("taskset", "-c", Integer.toString(lanes.get(i)), java));
            cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "sweep",
                    gridFile.toString(), "--out", dir.toString(), "--shard", i + "/" + lanes.size()));
            // the lanes train where this JVM does (--device is applied before any subcommand runs)
            String backend = dev.balora.core.backend.Backends.active().name();
            if (backend.equals("cuda") || backend.equals("cpu")) {
                cmd.addAll(List.of("--device", backend));
            }
            if (only != null) {
                cmd.add("--only");
                cmd.add(String.join(",", only));
            }
            if (groupNames != null) {
                cmd.add("--groups");
                cmd.add(String.join(",", groupNames));
            }
            if (retryFailed) {
                cmd.add("--retry-failed");
            }
            if (keepCheckpoints) {
                cmd.add("--keep-checkpoints");
            }
            Path logFile = dir.resolve("lanes").resolve("lane-" + i + ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            try {
                children.add(pb.start());
            } catch (java.io.IOException e) {
                children.forEach(Process::destroy);
                throw new UserInputException("--lanes: cannot start lane " + i + " (" + String.join(" ", cmd.subList(0, 4))
                        + "): " + e.getMessage());
            }
            System.out.println("lane " + i + " on CPU " + lanes.get(i) + ": pid " + children.get(i).pid() + ", log " + logFile);
        }
        int code = 0;
        for (int i = 0; i < children.size(); i++) {
            int c = children.get(i).waitFor();
            System.out.println("lane " + i + " exited with " + c);
            code = Math.max(code, c);
        }
        SweepTable.write(SweepGrid.read(gridFile, SweepRunner::isFinetuneOption), dir);
        System.out.println("table: " + dir.resolve(SweepTable.MARKDOWN));
        return code;
    }
}
