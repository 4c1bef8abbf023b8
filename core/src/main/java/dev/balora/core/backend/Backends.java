package dev.balora.core.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds backends with {@link ServiceLoader}, ranks them and picks one, once per JVM.
 *
 * <ul>
 *   <li>{@code -Dbalora.backend=reference|cpu|cuda} forces a backend. If it cannot run, selection falls back to
 *       the best available one and says so in the report — unless strict.</li>
 *   <li>{@code -Dbalora.strict=true}: fail instead of falling back. A forced backend must be available, and without
 *       a forced one the chosen backend must not be the scalar reference (no silent slow path).</li>
 * </ul>
 */
public final class Backends {
    private static volatile Selection selection;

    private Backends() {}

    record Selection(Backend backend, BackendReport report) {}

    /** @return the active backend for new tensors. */
    public static Backend active() {
        return select().backend();
    }

    /** @return why the active backend was chosen and which ones were rejected. */
    public static BackendReport report() {
        return select().report();
    }

    /** @return whether {@code -Dbalora.strict=true}. */
    public static boolean strict() {
        return Boolean.getBoolean("balora.strict");
    }

    /**
     * Chooses the backend for new tensors from a {@link Device}: {@code AUTO} keeps (or makes) the default selection,
     * {@code CPU} forces the Vector API backend (with the usual fallback to the reference, reported, unless strict),
     * {@code CUDA} forces the GPU and fails when it cannot run. Call it before creating tensors: tensors made earlier
     * stay on their backend.
     *
     * @return the report of the selection now active
     * @throws BackendUnavailableException when {@code CUDA} is asked for and unavailable (the message says why), or a
     *                                     strict selection fails
     */
    public static BackendReport use(Device device) {
        synchronized (Backends.class) {
            if (device == Device.AUTO) {
                return select().report();
            }
            Selection current = selection;
            if (current != null && current.backend().name().equals(device.backendName())) {
                return current.report();
            }
            List<BackendProvider> providers = loadProviders();
            if (device == Device.CUDA) {
                BackendProvider cuda = providers.stream().filter(p -> p.name().equals("cuda")).findFirst()
                        .orElseThrow(() -> new BackendUnavailableException("no GPU backend: balora-kernels-cuda is not "
                                + "on the class path"));
                BackendProvider.Availability a = cuda.probe();
                if (!a.available()) {
                    throw new BackendUnavailableException("no usable GPU: " + a.reason());
                }
            }
            selection = choose(device.backendName(), strict() || device == Device.CUDA, providers);
            return selection.report();
        }
    }

    /**
     * Runs {@code body} with {@code backend} as the active backend on this JVM, restoring the previous selection
     * afterwards. For tests and benchmarks that compare backends; not thread-safe against concurrent selection.
     */
    public static void withBackend(Backend backend, Runnable body) {
        Selection previous = select();
        selection = new Selection(backend, new BackendReport(backend.name(), "set by withBackend", List.of(), backend.describe()));
        try {
            body.run();
        } finally {
            selection = previous;
        }
    }

    private static Selection select() {
        Selection s = selection;
        if (s == null) {
            synchronized (Backends.class) {
                s = selection;
                if (s == null) {
                    s = choose(System.getProperty("balora.backend", "").trim(), strict(), loadProviders());
                    selection = s;
                }
            }
        }
        return s;
    }

    /** @return every provider found on the class path, best rank first. */
    public static List<BackendProvider> loadProviders() {
        List<BackendProvider> providers = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
            providers.add(p);
        }
        if (providers.stream().noneMatch(p -> p.name().equals("reference"))) {
            providers.add(new ReferenceBackendProvider());
        }
        providers.sort(Comparator.comparingInt(BackendProvider::rank).reversed());
        return providers;
    }

    /** The selection rule, separated from global state so it can be tested. */
    static Selection choose(String forced, boolean strict, List<BackendProvider> providers) {
        List<BackendReport.Rejected> rejected = new ArrayList<>();
        if (!forced.isEmpty()) {
            BackendProvider match = providers.stream().filter(p -> p.name().equals(forced)).findFirst().orElse(null);
            if (match == null) {
                String msg = "-Dbalora.backend=" + forced + ": no such backend on the class path (found: "
                        + providers.stream().map(BackendProvider::name).toList() + ")";
                if (strict) {
                    throw new BackendUnavailableException(msg);
                }
                rejected.add(new BackendReport.Rejected(forced, -1, "not on the class path"));
            } else {
                BackendProvider.Availability a = match.probe();
                if (a.available()) {
                    Backend b = match.create();
                    return new Selection(b, report(b, "forced by -Dbalora.backend; " + a.reason(), rejected, providers, match));
                }
                if (strict) {
                    throw new BackendUnavailableException("-Dbalora.backend=" + forced + " is unavailable and "
                            + "-Dbalora.strict=true forbids falling back: " + a.reason());
                }
                rejected.add(new BackendReport.Rejected(forced, match.rank(), "forced but unavailable: " + a.reason()));
            }
        }
        for (BackendProvider p : providers) {
            if (p.name().equals(forced)) {
                continue;
            }
            BackendProvider.Availability a = p.probe();
            if (!a.available()) {
                rejected.add(new BackendReport.Rejected(p.name(), p.rank(), a.reason()));
                continue;
            }
            if (strict && p.name().equals("reference") && forced.isEmpty()) {
                throw new BackendUnavailableException("-Dbalora.strict=true: no fast backend is available, only the "
                        + "scalar reference (rejected: " + rejected + ")");
            }
            Backend b = p.create();
            String why = (forced.isEmpty() ? "highest-ranked available" : "fallback for unavailable '" + forced + "'")
                    + "; " + a.reason();
            return new Selection(b, report(b, why, rejected, providers, p));
        }
        throw new BackendUnavailableException("no backend available: " + rejected);
    }

    private static BackendReport report(Backend b, String why, List<BackendReport.Rejected> rejected,
                                        List<BackendProvider> all, BackendProvider chosen) {
        List<BackendReport.Rejected> out = new ArrayList<>(rejected);
        for (BackendProvider p : all) {
            boolean listed = out.stream().anyMatch(r -> r.name().equals(p.name()));
            if (p != chosen && !listed) {
                out.add(new BackendReport.Rejected(p.name(), p.rank(), p.rank() < chosen.rank()
                        ? "ranked below " + chosen.name() : "not probed"));
            }
        }
        return new BackendReport(b.name(), why, List.copyOf(out), b.describe());
    }
}
