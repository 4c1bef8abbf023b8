package dev.balora.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A picture never fails a run: where the charts cannot be drawn (made to fail here as AWT fails on a server without
 * fonts) the run prints one warning line, writes every other output and exits 0.
 */
class PlotFailureTest {
    @AfterEach
    void restoreRenderer() {
        Plots.renderer = Plots.XCHART;
    }

    /** Throws any throwable from a method that declares only Exception (as AWT's Errors escape XChart). */
    @SuppressWarnings("unchecked")
    static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    static RunRecorder someRun() {
        RunRecorder r = new RunRecorder("lora");
        r.steps.addAll(List.of(1.0, 2.0, 3.0));
        r.losses.addAll(List.of(0.7, 0.6, 0.5));
        r.evalSteps.add(3.0);
        r.evalAccuracy.add(0.8);
        return r;
    }

    @Test
    void anyThrowableFromDrawingIsOneWarningAndNoFile(@TempDir Path tmp) {
        for (Throwable t : List.<Throwable>of(new Error("Fontconfig head is null, check your fonts or fonts configuration"),
                new UnsatisfiedLinkError("libfreetype.so.6: cannot open shared object file"),
                new NoClassDefFoundError("Could not initialize class sun.awt.X11FontManager"),
                new java.awt.HeadlessException(), new IllegalStateException("no\nfonts"))) {
            Plots.renderer = chart -> {
                throw PlotFailureTest.<RuntimeException>sneaky(t);
            };
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            boolean drawn = Plots.lossAndAccuracy(tmp, List.of(someRun()), new PrintStream(err, true, StandardCharsets.UTF_8));
            String text = err.toString(StandardCharsets.UTF_8);
            assertFalse(drawn, t.toString());
            assertEquals(1, text.strip().lines().count(), "one line: " + text);
            assertTrue(text.startsWith("balora: warning: no plots drawn (" + t.getClass().getSimpleName()), text);
            assertFalse(Files.exists(tmp.resolve("loss.png")), "no partial picture is left");
        }
    }

    @Test
    void theRealRendererDrawsBothCurves(@TempDir Path tmp) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertTrue(Plots.lossAndAccuracy(tmp, List.of(someRun()), new PrintStream(err, true, StandardCharsets.UTF_8)),
                err.toString(StandardCharsets.UTF_8));
        for (String f : List.of("loss.png", "accuracy.png")) {
            byte[] png = Files.readAllBytes(tmp.resolve(f));
            assertEquals((byte) 0x89, png[0], f);
            assertEquals('P', png[1], f);
        }
    }

    @Test
    void finetuneWhosePlotsFailStillSucceedsWithEveryOtherOutput(@TempDir Path tmp) throws Exception {
        Plots.renderer = chart -> {
            throw new Error("Fontconfig head is null, check your fonts or fonts configuration");
        };
        List<String> rows = Files.readAllLines(CliEndToEndTest.repoData().resolve("food-reviews/food-reviews-train.tsv"));
        Path train = Files.write(tmp.resolve("train.tsv"), rows.subList(0, 21));
        Path eval = Files.write(tmp.resolve("eval.tsv"), CliEndToEndTest.concat(rows.get(0), rows.subList(41, 51)));
        Path model = CliStopAndResumeTest.tinyBert(tmp.resolve("tiny-bert"));
        Path out = tmp.resolve("run");
        CliEndToEndTest.Result r = CliEndToEndTest.balora("finetune", "--model", model.toString(), "--train",
                train.toString(), "--eval", eval.toString(), "--method", "lora", "--max-length", "16", "--batch", "4",
                "--max-steps", "3", "--out", out.toString());
        assertEquals(0, r.code(), "the exit code reflects the training: " + r.err());
        List<String> warnings = r.err().lines().filter(l -> l.contains("warning")).toList();
        assertEquals(1, warnings.size(), r.err());
        assertTrue(warnings.get(0).contains("Fontconfig head is null"), warnings.get(0));
        for (String f : List.of("metrics.jsonl", "summary.json", "results.md", "predictions.tsv",
                "adapter/adapter_model.safetensors")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertFalse(Files.exists(out.resolve("loss.png")));
        assertTrue(Files.readString(out.resolve("results.md")).contains("No curves"));
        assertTrue(r.out().contains("wrote " + out), r.out());
    }
}
