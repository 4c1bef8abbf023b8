package dev.balora.bench.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Says where balora's training step spends its time, from a JFR recording of {@link StepBench} (run it with
 * {@code -XX:StartFlightRecording=filename=F.jfr,settings=profile} and one kernel thread, so every kernel runs on the
 * sampled main thread). Each execution sample is charged to
 * <ul>
 *   <li>a phase: {@code optimizer} when AdamW is on the stack, {@code teacher} when BA-LoRA's teacher is,
 *       {@code backward} when the autograd engine is, else
 *       {@code forward} (set-up samples before the first step land in {@code setup});</li>
 *   <li>an op: the innermost frame of a class in {@code dev.balora.core.ops} ("MatMul", "LowRankLinear" …), or of a
 *       regularizer / the teacher; and</li>
 *   <li>a kernel: the top frame's class and method.</li>
 * </ul>
 * Usage: {@code JfrOpProfile recording.jfr [top]}.
 */
public final class JfrOpProfile {
    private JfrOpProfile() {}

    public static void main(String[] args) throws IOException {
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        Map<String, Integer> byPhase = new HashMap<>();
        Map<String, Integer> byOp = new HashMap<>();
        Map<String, Integer> byKernel = new HashMap<>();
        int total = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (frames.isEmpty() || !onStepPath(e.getStackTrace())) {
                continue;
            }
            total++;
            String phase = phase(frames);
            byPhase.merge(phase, 1, Integer::sum);
            byOp.merge(phase + " " + op(frames), 1, Integer::sum);
            RecordedFrame f = frames.get(0);
            byKernel.merge(simple(f.getMethod().getType().getName()) + "." + f.getMethod().getName(), 1, Integer::sum);
        }
        System.out.printf(Locale.ROOT, "%d samples on the benchmark's main thread%n", total);
        print("phase", byPhase, total, top);
        print("phase and op (innermost dev.balora.core.ops frame)", byOp, total, top);
        print("top frame (kernel)", byKernel, total, top);
    }

    /** Keeps samples of the benchmark itself (main thread, below StepBench), not JIT or GC helpers. */
    private static boolean onStepPath(RecordedStackTrace st) {
        for (RecordedFrame f : st.getFrames()) {
            if (f.getMethod().getType().getName().startsWith("dev.balora.bench.e2e.")) {
                return true;
            }
        }
        return false;
    }

    private static String phase(List<RecordedFrame> frames) {
        boolean inStep = false;
        for (RecordedFrame f : frames) {
            String c = f.getMethod().getType().getName();
            if (c.endsWith(".AdamW")) {
                return "optimizer";
            }
            if (c.endsWith(".Teacher")) {
                return "teacher";
            }
            if (c.endsWith(".Autograd") || (c.endsWith(".Tensor") && f.getMethod().getName().equals("backward"))) {
                return "backward";
            }
            inStep |= c.endsWith(".TrainingStep") && f.getMethod().getName().equals("run");
        }
        return inStep ? "forward" : "setup";
    }

    private static String op(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String c = f.getMethod().getType().getName();
            if (c.startsWith("dev.balora.core.ops.") || c.startsWith("dev.balora.core.balora.")
                    || c.endsWith(".Teacher") || c.startsWith("dev.balora.models.bert.Pooling")) {
                return simple(c) + "." + f.getMethod().getName();
            }
        }
        return "(other)";
    }

    private static String simple(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private static void print(String title, Map<String, Integer> counts, int total, int top) {
        System.out.println("\nby " + title + ":");
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
                .limit(top).forEach(en -> System.out.printf(Locale.ROOT, "  %5.1f%%  %6d  %s%n",
                        100.0 * en.getValue() / Math.max(1, total), en.getValue(), en.getKey()));
    }
}
