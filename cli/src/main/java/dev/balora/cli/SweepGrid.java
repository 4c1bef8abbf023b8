package dev.balora.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A grid file for {@code balora sweep}, expanded into its points. JSON or YAML (by extension), one object:
 * <pre>{@code
 * {
 *   "name": "protocol v2, food, MiniLM",
 *   "defaults": {"model": "minilm", "train": "…/train.tsv", "eval": "…/val.tsv", "test": "…/test.tsv", "epochs": 4},
 *   "groups": [
 *     {"name": "lora-lr", "set": {"method": "lora"}, "axes": {"lr": [1e-4, 5e-4, 3e-3, 1e-2]}, "seeds": [1]},
 *     {"name": "final", "points": [{"method": "lora", "lr": "$best(lora-lr).lr"}], "seeds": [2, 3, 4, 5, 6]}
 *   ]
 * }
 * }</pre>
 * Every key is a {@code balora finetune} option without its dashes ({@code "max-length": 48}; {@code true} for a flag);
 * {@code out} is the runner's. A group's points are its {@code points} (override maps; default one empty map) ×
 * the cartesian product of its {@code axes} (the last axis varies fastest) × its {@code seeds}; each point's options
 * are {@code defaults}, then {@code set}, then the point's overrides, then its axis values and seed. A point override
 * may carry {@code label}, used in its id instead of its values. With {@code "seed-major": true} the seeds are the
 * outer loop (all configurations of one seed, then the next), so a sweep cut short leaves complete seed pairs.
 *
 * <p>A value {@code "$best(GROUP).KEY"} is the value of KEY in the winning point of an earlier GROUP (validation
 * accuracy, then validation loss, then grid order; see {@link dev.balora.models.finetune.ValidationSelection}),
 * resolved when GROUP has finished.
 *
 * <p>Numbers are normalised ({@code 1e-4}, {@code 0.00010} and {@code "1e-4"} are all {@code 0.0001}), so ids and
 * arguments do not depend on how a value was written. A point's id is {@code group+key=value+…+seed=N} (the varying
 * values only) and names its folder.
 *
 * @param name   the grid's name (or its file name)
 * @param file   where it was read from
 * @param groups in file order
 */
record SweepGrid(String name, Path file, List<Group> groups) {
    /** A reference to an earlier group's winner: {@code $best(GROUP).KEY}. */
    static final Pattern REFERENCE = Pattern.compile("\\$best\\(([^()]+)\\)\\.([A-Za-z0-9-]+)");
    /** Keys the runner owns. */
    private static final Set<String> RESERVED = Set.of("out", "resume", "label");

    /** A group of points, run in order; later groups may refer to its winner. */
    record Group(String name, List<Point> points) {}

    /**
     * One fine-tune of the grid.
     *
     * @param id      unique, folder-safe name
     * @param group   its group
     * @param index   position in the whole grid (0-based; lanes take index mod n)
     * @param options finetune option → value text (references still as {@code $best(…)…}), in insertion order
     */
    record Point(String id, String group, int index, Map<String, String> options) {
        /** @return the references among its values, by option key */
        Map<String, Reference> references() {
            Map<String, Reference> out = new LinkedHashMap<>();
            options.forEach((k, v) -> {
                Reference r = Reference.parse(v);
                if (r != null) {
                    out.put(k, r);
                }
            });
            return out;
        }
    }

    /** {@code $best(group).key}. */
    record Reference(String group, String key) {
        static Reference parse(String value) {
            Matcher m = REFERENCE.matcher(value);
            return m.matches() ? new Reference(m.group(1), m.group(2)) : null;
        }
    }

    /** @return every point, in grid order */
    List<Point> points() {
        List<Point> out = new ArrayList<>();
        groups.forEach(g -> out.addAll(g.points()));
        return out;
    }

    /** @return the group of that name, or null */
    Group group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst().orElse(null);
    }

    /**
     * Reads and expands a grid file.
     *
     * @param knownOption whether a key is a finetune option (checked for every key of every point)
     * @throws UserInputException naming the file, the place and the problem, for any malformed grid
     */
    static SweepGrid read(Path file, java.util.function.Predicate<String> knownOption) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString());
        }
        String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper = lower.endsWith(".yaml") || lower.endsWith(".yml") ? new ObjectMapper(new YAMLFactory())
                : new ObjectMapper();
        JsonNode root;
        try {
            root = mapper.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new UserInputException(file + ": not valid " + (mapper.getFactory() instanceof YAMLFactory ? "YAML" : "JSON")
                    + ": " + e.getOriginalMessage());
        }
        return expand(file, root, knownOption);
    }

    static SweepGrid expand(Path file, JsonNode root, java.util.function.Predicate<String> knownOption) {
        if (root == null || !root.isObject()) {
            throw new UserInputException(file + ": expected an object with \"groups\"");
        }
        checkKeys(file, "the grid", root, Set.of("name", "defaults", "groups"));
        String name = root.path("name").isTextual() ? root.get("name").asText() : file.getFileName().toString();
        Map<String, String> defaults = options(file, "defaults", root.get("defaults"), knownOption);
        JsonNode groupsNode = root.get("groups");
        if (groupsNode == null || !groupsNode.isArray() || groupsNode.isEmpty()) {
            throw new UserInputException(file + ": field groups: expected a non-empty list");
        }
        List<Group> groups = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int index = 0;
        for (int gi = 0; gi < groupsNode.size(); gi++) {
            JsonNode g = groupsNode.get(gi);
            String where = "groups[" + gi + "]";
            if (!g.isObject()) {
                throw new UserInputException(file + ": " + where + ": expected an object");
            }
            checkKeys(file, where, g, Set.of("name", "set", "points", "axes", "seeds", "seed-major"));
            JsonNode gn = g.get("name");
            if (gn == null || !gn.isTextual() || !gn.asText().matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new UserInputException(file + ": " + where + ".name: expected a name of letters, digits, '.', '_', '-'");
            }
            String groupName = gn.asText();
            where = "group " + groupName;
            for (Group earlier : groups) {
                if (earlier.name().equals(groupName)) {
                    throw new UserInputException(file + ": " + where + ": a group of that name came before");
                }
            }
            Map<String, String> set = options(file, where + ".set", g.get("set"), knownOption);
            List<Map<String, String>> overrides = new ArrayList<>();
            JsonNode pts = g.get("points");
            if (pts == null) {
                overrides.add(Map.of());
            } else if (!pts.isArray() || pts.isEmpty()) {
                throw new UserInputException(file + ": " + where + ".points: expected a non-empty list of objects");
            } else {
                for (int pi = 0; pi < pts.size(); pi++) {
                    overrides.add(options(file, where + ".points[" + pi + "]", pts.get(pi), k -> k.equals("label")
                            || knownOption.test(k)));
                }
            }
            List<Map<String, String>> combos = axes(file, where, g.get("axes"), knownOption);
            List<String> seeds = new ArrayList<>();
            JsonNode sn = g.get("seeds");
            if (sn != null) {
                if (!sn.isArray() || sn.isEmpty()) {
                    throw new UserInputException(file + ": " + where + ".seeds: expected a non-empty list of integers");
                }
                for (JsonNode s : sn) {
                    if (!s.canConvertToLong()) {
                        throw new UserInputException(file + ": " + where + ".seeds: '" + s.asText() + "' is not an integer");
                    }
                    seeds.add(Long.toString(s.asLong()));
                }
            } else {
                seeds.add(null);
            }
            JsonNode sm = g.get("seed-major");
            if (sm != null && !sm.isBoolean()) {
                throw new UserInputException(file + ": " + where + ".seed-major: expected true or false");
            }
            boolean seedMajor = sm != null && sm.asBoolean();
            // seed-major: every configuration of one seed before the next seed, so a budget cut leaves complete pairs
            List<Object[]> order = new ArrayList<>();
            if (seedMajor) {
                for (String seed : seeds) {
                    for (Map<String, String> o : overrides) {
                        for (Map<String, String> combo : combos) {
                            order.add(new Object[] {o, combo, seed});
                        }
                    }
                }
            } else {
                for (Map<String, String> o : overrides) {
                    for (Map<String, String> combo : combos) {
                        for (String seed : seeds) {
                            order.add(new Object[] {o, combo, seed});
                        }
                    }
                }
            }
            List<Point> points = new ArrayList<>();
            for (Object[] oc : order) {
                @SuppressWarnings("unchecked") Map<String, String> o = (Map<String, String>) oc[0];
                @SuppressWarnings("unchecked") Map<String, String> combo = (Map<String, String>) oc[1];
                String seed = (String) oc[2];
                {
                    {
                        Map<String, String> opts = new LinkedHashMap<>(defaults);
                        opts.putAll(set);
                        o.forEach((k, v) -> {
                            if (!k.equals("label")) {
                                opts.put(k, v);
                            }
                        });
                        opts.putAll(combo);
                        StringBuilder id = new StringBuilder(groupName);
                        if (o.containsKey("label")) {
                            id.append('+').append(o.get("label"));
                        } else {
                            o.forEach((k, v) -> {
                                if (Reference.parse(v) == null) {
                                    id.append('+').append(k).append('=').append(v);
                                }
                            });
                        }
                        combo.forEach((k, v) -> id.append('+').append(k).append('=').append(v));
                        if (seed != null) {
                            opts.put("seed", seed);
                            id.append("+seed=").append(seed);
                        }
                        String pid = id.toString();
                        if (!pid.matches("[A-Za-z0-9._+=-]+")) {
                            throw new UserInputException(file + ": " + where + ": point id '" + pid + "' has characters a "
                                    + "folder name should not (give the point a \"label\")");
                        }
                        if (!ids.add(pid)) {
                            throw new UserInputException(file + ": " + where + ": two points have the id '" + pid
                                    + "' (give them different \"label\"s or values)");
                        }
                        points.add(new Point(pid, groupName, index++, opts));
                    }
                }
            }
            Group group = new Group(groupName, List.copyOf(points));
            checkReferences(file, group, groups);
            groups.add(group);
        }
        return new SweepGrid(name, file, List.copyOf(groups));
    }

    /** Every reference names an earlier group, and a key that group's points set. */
    private static void checkReferences(Path file, Group group, List<Group> earlier) {
        for (Point p : group.points()) {
            for (Map.Entry<String, Reference> e : p.references().entrySet()) {
                Reference r = e.getValue();
                Group target = earlier.stream().filter(g -> g.name().equals(r.group())).findFirst().orElse(null);
                if (target == null) {
                    throw new UserInputException(file + ": group " + group.name() + ", point " + p.id() + ", key "
                            + e.getKey() + ": " + p.options().get(e.getKey()) + " refers to no earlier group");
                }
                if (target.points().stream().noneMatch(q -> q.options().containsKey(r.key()))) {
                    throw new UserInputException(file + ": group " + group.name() + ", point " + p.id() + ", key "
                            + e.getKey() + ": group " + r.group() + " does not set '" + r.key() + "'");
                }
            }
        }
    }

    private static void checkKeys(Path file, String where, JsonNode node, Set<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new UserInputException(file + ": " + where + ": unknown field '" + k + "' (expected " + allowed + ")");
            }
        }
    }

    /** An option map: keys checked, values scalar, numbers normalised. */
    private static Map<String, String> options(Path file, String where, JsonNode node,
                                               java.util.function.Predicate<String> known) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null) {
            return out;
        }
        if (!node.isObject()) {
            throw new UserInputException(file + ": " + where + ": expected an object of finetune options");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            checkOption(file, where, k, known);
            out.put(k, scalar(file, where + "." + k, e.getValue()));
        }
        return out;
    }

    private static void checkOption(Path file, String where, String key, java.util.function.Predicate<String> known) {
        if (RESERVED.contains(key) && !key.equals("label")) { // out, resume
            throw new UserInputException(file + ": " + where + ": '" + key + "' is set by balora sweep, not the grid");
        }
        if (!known.test(key)) {
            throw new UserInputException(file + ": " + where + ": '" + key + "' is not a balora finetune option");
        }
    }

    /** Axes: key → list of values, expanded as a cartesian product (the last key varies fastest). */
    private static List<Map<String, String>> axes(Path file, String where, JsonNode node,
                                                  java.util.function.Predicate<String> known) {
        List<Map<String, String>> combos = new ArrayList<>();
        combos.add(new LinkedHashMap<>());
        if (node == null) {
            return combos;
        }
        if (!node.isObject()) {
            throw new UserInputException(file + ": " + where + ".axes: expected an object of option → list of values");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            checkOption(file, where + ".axes", k, known);
            if (k.equals("seed")) {
                throw new UserInputException(file + ": " + where + ".axes: put seeds in the group's \"seeds\" list");
            }
            JsonNode vals = e.getValue();
            if (!vals.isArray() || vals.isEmpty()) {
                throw new UserInputException(file + ": " + where + ".axes." + k + ": expected a non-empty list");
            }
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> c : combos) {
                for (JsonNode v : vals) {
                    Map<String, String> m = new LinkedHashMap<>(c);
                    m.put(k, scalar(file, where + ".axes." + k, v));
                    next.add(m);
                }
            }
            combos = next;
        }
        return combos;
    }

    /** A scalar as option text: numbers normalised, booleans as "true"/"false", references kept. */
    static String scalar(Path file, String where, JsonNode v) {
        if (v.isNumber()) {
            return normalise(v.asText());
        }
        if (v.isBoolean()) {
            return Boolean.toString(v.asBoolean());
        }
        if (v.isTextual()) {
            String s = v.asText();
            if (s.startsWith("$") && Reference.parse(s) == null) {
                throw new UserInputException(file + ": " + where + ": '" + s + "' is not a reference "
                        + "(expected $best(GROUP).KEY)");
            }
            return Reference.parse(s) != null ? s : normalise(s);
        }
        throw new UserInputException(file + ": " + where + ": expected a number, a string or true/false");
    }

    /** Number text → the plain shortest decimal form; anything else unchanged. */
    static String normalise(String s) {
        String t = s.trim();
        if (!t.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
            return s;
        }
        BigDecimal d = new BigDecimal(t).stripTrailingZeros();
        return d.signum() == 0 ? "0" : d.toPlainString();
    }
}
