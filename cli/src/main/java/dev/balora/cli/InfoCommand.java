package dev.balora.cli;

import dev.balora.core.backend.Backends;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code balora info}: backend report, JDK, threads and every knob readable as a system property. */
@Command(name = "info", description = "Show the active backend (and why), the JDK, threads and settings.")
final class InfoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("balora " + dev.balora.core.Balora.version());
        System.out.println("java: " + Runtime.version() + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.home") + ")");
        System.out.println("os: " + System.getProperty("os.name") + " " + System.getProperty("os.arch")
                + ", available processors: " + Runtime.getRuntime().availableProcessors()
                + ", max heap: " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
        System.out.println("vector module: " + (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                ? "jdk.incubator.vector present" : "MISSING (launch with --add-modules jdk.incubator.vector)"));
        System.out.print(Backends.report().format());
        System.out.println("settings (system properties):");
        System.out.println("  balora.backend = " + System.getProperty("balora.backend", "(auto)") + "   force reference|cpu|cuda");
        System.out.println("  balora.strict = " + Backends.strict() + "   fail instead of falling back to a slower path");
        System.out.println("  balora.threads = " + System.getProperty("balora.threads", "(available processors)"));
        System.out.println("  balora.vector.bits = " + System.getProperty("balora.vector.bits", "(preferred species)"));
        return 0;
    }
}
