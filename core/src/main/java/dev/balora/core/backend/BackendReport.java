package dev.balora.core.backend;

import java.util.List;
import java.util.Map;

/**
 * What backend selection decided and why: the active backend, the reason it was chosen, and every provider that
 * was rejected with its reason. Printed by {@code balora info} and logged at start-up.
 *
 * @param active   the chosen backend's name
 * @param reason   why it was chosen
 * @param rejected providers not chosen, with their reasons
 * @param facts    the active backend's {@link Backend#describe()}
 */
public record BackendReport(String active, String reason, List<Rejected> rejected, Map<String, String> facts) {
    /** A provider that was not chosen. */
    public record Rejected(String name, int rank, String reason) {}

    /** @return a multi-line human-readable report. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append("backend: ").append(active).append(" (").append(reason).append(")\n");
        facts.forEach((k, v) -> sb.append("  ").append(k).append(": ").append(v).append('\n'));
        for (Rejected r : rejected) {
            sb.append("  not used: ").append(r.name()).append(" (rank ").append(r.rank()).append("): ")
                    .append(r.reason()).append('\n');
        }
        return sb.toString();
    }
}
