package dev.balora.core.lora.peft;

import dev.balora.core.io.AtomicFiles;
import dev.balora.core.io.F32Tensor;
import dev.balora.core.io.SafetensorsFormatException;
import dev.balora.core.io.SafetensorsReader;
import dev.balora.core.io.SafetensorsWriter;
import dev.balora.core.io.TensorInfo;
import dev.balora.core.lora.LoraConfig;
import dev.balora.core.lora.LoraInit;
import dev.balora.core.lora.LoraInjector;
import dev.balora.core.lora.LoraLinear;
import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.ops.Constants;
import dev.balora.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Saves and loads LoRA adapters in Hugging Face PEFT's directory format, so an adapter trained by balora loads with
 * {@code PeftModel.from_pretrained} and a PEFT LoRA adapter loads into balora:
 * <pre>
 * dir/adapter_model.safetensors  float32; base_model.model.&lt;path&gt;.lora_A.weight [r, in],
 *                                .lora_B.weight [out, r]; modules_to_save as base_model.model.&lt;path&gt;.&lt;param&gt;
 * dir/balora_config.json         balora's own settings (PEFT ignores the file)
 * dir/adapter_config.json        PEFT's LoRA config; written last, so its presence marks a complete adapter
 * </pre>
 * Every file is written atomically ({@link AtomicFiles}).
 *
 * <p><b>PiSSA and the base weights.</b> A PiSSA run trains against the residual {@code W_res = W − s·B₀·A₀}, not
 * against W; its plain adapter ({@link #save}, {@code init_lora_weights: "pissa"}) is only correct on a model that
 * holds that W_res. PEFT reproduces W_res by re-running the SVD on load, which silently rewrites the base and is only
 * exact when the SVD (or the randomized sketch) comes out the same. balora never rewrites the base on load:
 * {@link #load} treats the given model's weights as the W_res the adapter was trained on and warns for PiSSA adapters.
 * To share a PiSSA adapter for the original model, use {@link #saveConverted}: the rank-2r plain LoRA
 * {@code [B | B₀]·[A ; −A₀]} with r' = 2r and α' = 2α (√2·α with rsLoRA), {@code init_lora_weights: true}, which is
 * exact on the original W (SPEC §1.4) — in balora and in PEFT. (Reloading it into balora needs
 * 2r ≤ min(in, out) of every adapted layer, a limit of {@link LoraLinear}; PEFT has none.)
 *
 * <p><b>Errors.</b> Everything wrong with the directory's files is an {@link AdapterFormatException} naming the file
 * and key: bad JSON, missing required keys, wrong types, unsupported PEFT features, a damaged safetensors file (the
 * {@link SafetensorsFormatException} is wrapped as the cause), and — all listed in one exception — missing, unexpected,
 * mis-shaped, non-float or non-finite tensors. Loading validates everything before it touches the model, so a
 * failed load leaves the model unchanged.
 */
public final class PeftAdapter {
    /** PEFT's config file name. */
    public static final String CONFIG_FILE = "adapter_config.json";
    /** PEFT's weights file name. */
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    /** balora's settings, next to PEFT's files. */
    public static final String BALORA_FILE = "balora_config.json";
    /** Config files larger than this are refused before they are read (real ones are about 1 KB). */
    static final long MAX_CONFIG_BYTES = 1 << 20;

    private static final System.Logger LOG = System.getLogger("dev.balora.lora.peft");
    private static final Set<String> FLOAT_DTYPES = Set.of("F32", "F64", "F16", "BF16");

    private PeftAdapter() {}

    // ---- saving -------------------------------------------------------------------------------------------------

    /**
     * Writes the adapters of {@code root} as they are (A [r, in], B [out, r]) and the {@code modules_to_save}
     * parameters. For a PiSSA run the adapter is relative to W_res (see the class comment).
     *
     * @param dir                 created if absent; existing files of the same names are replaced atomically
     * @param root                a model with adapters injected per {@code cfg}
     * @param cfg                 the run's LoRA config (rank and scaling are checked against the layers)
     * @param baseModelNameOrPath written as {@code base_model_name_or_path}; may be null
     * @param baloraSettings      written under {@code settings} in {@code balora_config.json}; may be null
     * @throws IllegalArgumentException when root has no adapters or they disagree with cfg
     * @throws IOException          when writing fails
     */
    public static void save(Path dir, Module root, LoraConfig cfg, String baseModelNameOrPath,
                            Map<String, Object> baloraSettings) throws IOException {
        save(dir, root, cfg, baseModelNameOrPath, null, baloraSettings);
    }

    /**
     * As {@link #save(Path, Module, LoraConfig, String, Map)}, with PEFT's {@code task_type}.
     *
     * @param taskType e.g. "SEQ_CLS", "CAUSAL_LM"; null writes null
     */
    public static void save(Path dir, Module root, LoraConfig cfg, String baseModelNameOrPath, String taskType,
                            Map<String, Object> baloraSettings) throws IOException {
        Map<String, LoraLinear> adapters = checkedAdapters(root, cfg);
        Map<String, F32Tensor> tensors = new LinkedHashMap<>();
        adapters.forEach((path, l) -> {
            tensors.put(AdapterLayout.key(path + ".lora_A.weight"), f32(l.loraA()));
            tensors.put(AdapterLayout.key(path + ".lora_B.weight"), f32(l.loraB()));
        });
        write(dir, root, cfg, PeftAdapterConfig.of(cfg, baseModelNameOrPath, taskType), tensors, baloraSettings, false);
    }

    /**
     * Writes the adapters converted to plain LoRA against the original weights (SPEC §1.4):
     * A' = [A ; −A₀] [2r, in], B' = [B | B₀] [out, 2r], r' = 2r, α' = 2α (√2·α with rsLoRA, so s' = s),
     * {@code init_lora_weights: true}. Loaded onto the original model, it reproduces the trained model exactly (up to
     * float32 rounding). Valid for any init; for Kaiming (B₀ = 0) it only doubles the rank, so prefer {@link #save}.
     *
     * @param dir                 created if absent
     * @param root                a model with adapters injected per {@code cfg}
     * @param cfg                 the run's LoRA config
     * @param baseModelNameOrPath written as {@code base_model_name_or_path}; may be null
     * @param baloraSettings      written under {@code settings} in {@code balora_config.json}; may be null
     * @throws IllegalArgumentException when root has no adapters or they disagree with cfg
     * @throws IOException          when writing fails
     */
    public static void saveConverted(Path dir, Module root, LoraConfig cfg, String baseModelNameOrPath,
                                     Map<String, Object> baloraSettings) throws IOException {
        saveConverted(dir, root, cfg, baseModelNameOrPath, null, baloraSettings);
    }

    /**
     * As {@link #saveConverted(Path, Module, LoraConfig, String, Map)}, with PEFT's {@code task_type}.
     *
     * @param taskType e.g. "SEQ_CLS", "CAUSAL_LM"; null writes null
     */
    public static void saveConverted(Path dir, Module root, LoraConfig cfg, String baseModelNameOrPath, String taskType,
                                     Map<String, Object> baloraSettings) throws IOException {
        Map<String, LoraLinear> adapters = checkedAdapters(root, cfg);
        Map<String, F32Tensor> tensors = new LinkedHashMap<>();
        adapters.forEach((path, l) -> {
            Tensor[] ab = l.toPlainLoraRank2r();
            tensors.put(AdapterLayout.key(path + ".lora_A.weight"), f32(ab[0]));
            tensors.put(AdapterLayout.key(path + ".lora_B.weight"), f32(ab[1]));
        });
        double alpha = cfg.useRslora() ? Math.sqrt(2) * cfg.alpha() : 2 * cfg.alpha();
        LoraConfig converted = cfg.withRank(2 * cfg.r(), alpha).withInit(new LoraInit.Kaiming());
        write(dir, root, cfg, PeftAdapterConfig.of(converted, baseModelNameOrPath, taskType), tensors, baloraSettings, true);
    }

    private static Map<String, LoraLinear> checkedAdapters(Module root, LoraConfig cfg) {
        Map<String, LoraLinear> adapters = LoraInjector.adapters(root);
        if (adapters.isEmpty()) {
            throw new IllegalArgumentException("PEFT save: the model has no LoRA adapters");
        }
        adapters.forEach((path, l) -> {
            if (l.rank() != cfg.r() || Math.abs(l.scaling() - cfg.scaling()) > 1e-12 * Math.abs(cfg.scaling())) {
                throw new IllegalArgumentException("PEFT save: layer " + path + " has rank " + l.rank() + " and scaling "
                        + l.scaling() + " but the config says r = " + cfg.r() + ", s = " + cfg.scaling());
            }
        });
        return adapters;
    }

    private static void write(Path dir, Module root, LoraConfig runCfg, PeftAdapterConfig fileCfg,
                              Map<String, F32Tensor> tensors, Map<String, Object> settings, boolean converted)
            throws IOException {
        AdapterLayout.modulesToSaveParams(root, runCfg.modulesToSave())
                .forEach((path, t) -> tensors.putIfAbsent(AdapterLayout.key(path), f32(t)));
        Map<String, Object> balora = new LinkedHashMap<>();
        balora.put("format", "balora-adapter/1");
        balora.put("run_init", runCfg.init().peftName());
        balora.put("run_r", runCfg.r());
        balora.put("run_lora_alpha", runCfg.alpha());
        balora.put("seed", runCfg.seed());
        balora.put("converted_to_plain_lora", converted);
        balora.put("settings", settings == null ? Map.of() : settings);
        byte[] baloraJson;
        try {
            baloraJson = (PeftConfigJson.JSON.writeValueAsString(balora) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("PEFT save: balora settings are not JSON-serialisable: " + e.getOriginalMessage(), e);
        }
        Files.createDirectories(dir);
        // Weights first, config last: a reader that finds adapter_config.json finds complete weights next to it.
        SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), tensors, Map.of("format", "pt"));
        AtomicFiles.writeBytes(dir.resolve(BALORA_FILE), baloraJson);
        AtomicFiles.writeBytes(dir.resolve(CONFIG_FILE), PeftConfigJson.write(fileCfg));
    }

    private static F32Tensor f32(Tensor t) {
        long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
        return new F32Tensor(shape, t.toFloatArray());
    }

    // ---- loading ------------------------------------------------------------------------------------------------

    /**
     * Reads a PEFT LoRA adapter from {@code dir}, injects adapters into {@code root} as its config says, and sets
     * their weights (and the {@code modules_to_save} parameters) from the file. The model's own weights are taken
     * as the W_res the adapter was trained on (see the class comment for PiSSA adapters).
     *
     * @param dir  a directory with {@code adapter_config.json} and {@code adapter_model.safetensors}
     *             (and optionally {@code balora_config.json})
     * @param root a model without adapters, with Hugging Face-style module paths
     * @return the config, the injected layers, balora's settings and the warnings given
     * @throws AdapterFormatException when a file is malformed or does not fit the model; root is then unchanged
     * @throws IllegalStateException  when root already has adapters
     * @throws IOException            when reading fails
     */
    public static LoadedAdapter load(Path dir, Module root) throws IOException {
        if (!LoraInjector.adapters(root).isEmpty()) {
            throw new IllegalStateException("PEFT load: the model already has LoRA adapters");
        }
        Path configFile = dir.resolve(CONFIG_FILE);
        PeftConfigJson.Parsed parsed = PeftConfigJson.read(configFile, readSmall(configFile));
        PeftAdapterConfig cfg = parsed.config();
        List<String> warnings = new ArrayList<>();
        if (!parsed.unknownKeys().isEmpty()) {
            warnings.add(configFile + ": ignoring unknown keys " + parsed.unknownKeys());
        }
        Path baloraFile = dir.resolve(BALORA_FILE);
        Map<String, Object> settings = Files.exists(baloraFile) ? settings(baloraFile) : Map.of();

        Map<String, Linear> targets = resolveTargets(configFile, root, cfg);
        Map<String, int[]> expected = new LinkedHashMap<>(AdapterLayout.loraShapes(targets, cfg.r()));
        Map<String, Tensor> saved = AdapterLayout.modulesToSaveParams(root, cfg.modulesToSave());
        saved.forEach((path, t) -> expected.putIfAbsent(AdapterLayout.key(path), t.shape()));
        Map<String, double[]> values = readTensors(dir.resolve(WEIGHTS_FILE), expected);
        checkScaleFits(configFile, dir.resolve(WEIGHTS_FILE), cfg, values);

        // Everything is valid: only now change the model.
        List<String> injectorTargets = cfg.targetModules() != null ? cfg.targetModules() : List.copyOf(targets.keySet());
        LoraConfig loraCfg = new LoraConfig(cfg.r(), cfg.loraAlpha(), cfg.loraDropout(), cfg.useRslora(),
                new LoraInit.Kaiming(), injectorTargets, cfg.modulesToSave(), 0L);
        LoraInjector.Summary summary = LoraInjector.inject(root, loraCfg);
        Map<String, Tensor> params = root.namedParameters();
        Map<String, Tensor> update = new LinkedHashMap<>();
        values.forEach((key, v) -> {
            String path = AdapterLayout.paramPath(key);
            Tensor like = params.get(path);
            update.put(path, Constants.like(like, v, like.shape()));
        });
        root.loadStateDict(update, false);
        if (cfg.isPissa()) {
            warnings.add(configFile + ": init_lora_weights = \"" + cfg.init().peftName() + "\": this adapter is only "
                    + "correct on the PiSSA residual weights W_res of its training run, not on the original model; "
                    + "share PiSSA adapters with PeftAdapter.saveConverted");
        }
        warnings.forEach(w -> LOG.log(System.Logger.Level.WARNING, w));
        return new LoadedAdapter(cfg, loraCfg, summary.adapted(), settings, warnings);
    }

    /**
     * The adapter's update {@code s·B·A} must be computable in float32: the scaling itself ({@code lora_alpha: 1e300}
     * overflows it) and the bound {@code s·r·max|A|·max|B|} on every entry of {@code s·B·A} (an adapter of 3.4e38
     * values passes the finite check but turns every output into infinities and NaN).
     */
    private static void checkScaleFits(Path configFile, Path weightsFile, PeftAdapterConfig cfg, Map<String, double[]> values)
            throws AdapterFormatException {
        double s = cfg.scaling();
        if (!(Float.isFinite((float) s) && (float) s > 0)) {
            throw new AdapterFormatException(configFile, "lora_alpha", "a scaling " + (cfg.useRslora() ? "alpha/sqrt(r)" : "alpha/r")
                    + " that is positive and finite in float32", "lora_alpha " + cfg.loraAlpha() + " gives " + s);
        }
        double maxA = 0;
        double maxB = 0;
        for (Map.Entry<String, double[]> e : values.entrySet()) {
            for (double v : e.getValue()) {
                if (e.getKey().endsWith("lora_A.weight")) {
                    maxA = Math.max(maxA, Math.abs(v));
                } else if (e.getKey().endsWith("lora_B.weight")) {
                    maxB = Math.max(maxB, Math.abs(v));
                }
            }
        }
        double bound = s * cfg.r() * maxA * maxB;
        if (!(bound <= Float.MAX_VALUE)) {
            throw new AdapterFormatException(weightsFile, "lora_A/lora_B values", "an update s·B·A within float32's range "
                    + "(s·r·max|A|·max|B| <= " + Float.MAX_VALUE + ")", "s = " + s + ", r = " + cfg.r() + ", max|A| = " + maxA
                    + ", max|B| = " + maxB + " bound it by " + bound);
        }
    }

    private static byte[] readSmall(Path file) throws IOException {
        try {
            long size = Files.size(file);
            if (size > MAX_CONFIG_BYTES) {
                throw new AdapterFormatException(file, "(file)", "at most " + MAX_CONFIG_BYTES + " bytes", size + " bytes");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new AdapterFormatException(file, "(file)", "the file", "no such file", e);
        }
    }

    private static Map<String, Object> settings(Path file) throws IOException {
        Map<String, Object> all = PeftConfigJson.readObject(file, readSmall(file));
        Object s = all.get("settings");
        if (s == null) {
            return Map.of();
        }
        if (!(s instanceof Map<?, ?> m)) {
            throw new AdapterFormatException(file, "settings", "a JSON object", String.valueOf(s));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    private static Map<String, Linear> resolveTargets(Path file, Module root, PeftAdapterConfig cfg)
            throws AdapterFormatException {
        Pattern regex = null;
        if (cfg.targetModulesRegex() != null) {
            try {
                regex = Pattern.compile(cfg.targetModulesRegex());
            } catch (PatternSyntaxException e) {
                throw new AdapterFormatException(file, "target_modules", "a valid regular expression",
                        PeftConfigJson.describe(new com.fasterxml.jackson.databind.node.TextNode(cfg.targetModulesRegex())), e);
            }
        }
        Map<String, Linear> targets = AdapterLayout.targets(root, cfg.targetModules(), regex, cfg.modulesToSave());
        String what = cfg.targetModules() != null ? cfg.targetModules().toString() : cfg.targetModulesRegex();
        if (targets.isEmpty()) {
            throw new AdapterFormatException(file, "target_modules", "names matching at least one Linear layer of the model",
                    "none match " + abbreviate(what));
        }
        if (regex != null) {
            // The injector matches suffixes; with the resolved paths as suffixes it must pick exactly the regex's layers.
            Map<String, Linear> viaSuffix = AdapterLayout.targets(root, List.copyOf(targets.keySet()), null, cfg.modulesToSave());
            if (!viaSuffix.keySet().equals(targets.keySet())) {
                throw new AdapterFormatException(file, "target_modules", "a regex whose layers are not suffixes of other "
                        + "layers' paths", abbreviate(what));
            }
        }
        for (Map.Entry<String, Linear> e : targets.entrySet()) {
            int max = Math.min(e.getValue().inFeatures(), e.getValue().outFeatures());
            if (cfg.r() > max) {
                throw new AdapterFormatException(file, "r", "at most min(in, out) = " + max + " for layer " + e.getKey(),
                        Integer.toString(cfg.r()));
            }
        }
        return targets;
    }

    /** Opens the weights, checks names, dtypes and shapes (all problems in one exception), reads finite values. */
    private static Map<String, double[]> readTensors(Path file, Map<String, int[]> expected) throws IOException {
        try (SafetensorsReader st = openWeights(file)) {
            List<String> problems = new ArrayList<>();
            for (Map.Entry<String, int[]> e : expected.entrySet()) {
                if (!st.contains(e.getKey())) {
                    problems.add("missing tensor " + e.getKey() + " " + Arrays.toString(e.getValue()));
                    continue;
                }
                TensorInfo t = st.tensor(e.getKey());
                long[] want = Arrays.stream(e.getValue()).asLongStream().toArray();
                if (!Arrays.equals(t.shape(), want)) {
                    problems.add("tensor " + e.getKey() + ": expected shape " + Arrays.toString(want) + ", found "
                            + Arrays.toString(t.shape()));
                }
                if (!FLOAT_DTYPES.contains(t.dtype().name())) {
                    problems.add("tensor " + e.getKey() + ": expected dtype one of " + FLOAT_DTYPES + ", found " + t.dtype());
                }
            }
            Set<String> extra = new LinkedHashSet<>(st.names());
            extra.removeAll(expected.keySet());
            extra.forEach(n -> problems.add("unexpected tensor " + n));
            if (!problems.isEmpty()) {
                throw AdapterFormatException.listing(file, "tensors", problems);
            }
            Map<String, double[]> values = new LinkedHashMap<>();
            for (String name : expected.keySet()) {
                double[] v = st.readDoubles(name);
                for (int i = 0; i < v.length; i++) {
                    if (!Float.isFinite((float) v[i])) { // the model computes in float32: 1e300 is an infinity there
                        problems.add("tensor " + name + ": expected finite float32 values, found " + v[i] + " at element " + i);
                        break;
                    }
                }
                values.put(name, v);
            }
            if (!problems.isEmpty()) {
                throw AdapterFormatException.listing(file, "tensors", problems);
            }
            return values;
        } catch (SafetensorsFormatException e) {
            throw new AdapterFormatException(file, e.where(), e.expected(), e.actual(), e);
        }
    }

    private static SafetensorsReader openWeights(Path file) throws IOException {
        try {
            return SafetensorsReader.open(file);
        } catch (NoSuchFileException e) {
            throw new AdapterFormatException(file, "(file)", "the file", "no such file", e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }
}
