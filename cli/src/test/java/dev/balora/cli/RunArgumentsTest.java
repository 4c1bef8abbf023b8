package dev.balora.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code balora-run.json}: what a run saves for {@code --resume} (absolute paths, input fingerprints, the device),
 * and the one-line refusals of a resume that cannot continue the same run.
 */
class RunArgumentsTest {
    static RunArguments saved(String... args) throws Exception {
        CommandLine cl = new CommandLine(new Main());
        CommandLine.ParseResult parsed = cl.parseArgs(args);
        return RunArguments.of(parsed.subcommand().commandSpec());
    }

    @Test
    void savesAbsolutePathsFingerprintsAndTheDeviceButNotOutOrResume(@TempDir Path tmp) throws Exception {
        Path train = Files.writeString(tmp.resolve("t.tsv"), "text\tlabel\nok\tgood\n");
        Path rel = Path.of("").toAbsolutePath().relativize(train);
        RunArguments r = saved("finetune", "--device", "cpu", "--train", rel.toString(), "--eval", train.toString(),
                "--rank", "4", "--no-teacher-cache", "--lr", "3e-4", "--out", "somewhere", "--checkpoint-every", "7");
        assertEquals("finetune", r.command());
        assertEquals("cpu", r.device());
        List<String> a = r.arguments();
        assertEquals(train.toString(), a.get(a.indexOf("--train") + 1), "a relative path is saved absolute");
        assertEquals(train.toString(), a.get(a.indexOf("--eval") + 1));
        assertEquals("4", a.get(a.indexOf("--rank") + 1));
        assertEquals(3e-4, Double.parseDouble(a.get(a.indexOf("--lr") + 1)), 0.0, "a double reads back exactly");
        assertEquals("7", a.get(a.indexOf("--checkpoint-every") + 1));
        assertTrue(a.contains("--no-teacher-cache"), a.toString());
        assertFalse(a.contains("--out") || a.contains("--device") || a.contains("somewhere"), a.toString());
        assertEquals(2, r.inputs().size());
        assertEquals(train.toString(), r.inputs().get(0).path());
        assertEquals(64, r.inputs().get(0).sha256().length());
    }

    private static void assertRefused(String expected, String... args) {
        CliEndToEndTest.Result r = CliEndToEndTest.balora(args);
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(expected), r.err());
    }

    @Test
    void aResumeThatCannotContinueTheSameRunIsOneLineAndExit2(@TempDir Path tmp) throws Exception {
        Path train = Files.writeString(tmp.resolve("t.tsv"), "text\tlabel\nok\tgood\n");
        Path dir = Files.createDirectories(tmp.resolve("run"));
        new RunArguments(RunArguments.FORMAT, "finetune", "auto", List.of("--train", train.toString()),
                List.of(new RunArguments.Input("--train", train.toString(), 1, "00"))).save(dir);

        assertRefused("leave out --rank", "finetune", "--resume", dir.toString(), "--rank", "4");
        assertRefused("the file changed since the run started", "finetune", "--resume", dir.toString());
        assertRefused("holds a run of balora finetune; continue it with: balora finetune --resume " + dir,
                "pretrain", "--resume", dir.toString());
        Files.delete(train);
        assertRefused("it is gone", "finetune", "--resume", dir.toString());
        assertRefused("no " + RunArguments.FILE + " here", "finetune", "--resume", tmp.toString());
        assertRefused("no such folder", "finetune-lm", "--resume", tmp.resolve("nowhere").toString());
        assertRefused("--checkpoint-every: expected N >= 0", "pretrain", "--checkpoint-every", "-1", "--out",
                tmp.resolve("p").toString());
        Files.writeString(dir.resolve(RunArguments.FILE), "{ not json");
        assertRefused("malformed", "finetune", "--resume", dir.toString());
    }
}
