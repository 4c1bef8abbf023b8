package dev.balora.core.nn;

import dev.balora.core.tensor.ShapeMismatchException;
import dev.balora.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layer: named parameters and named child modules, with Hugging Face-style dotted names
 * ({@code encoder.layer.0.attention.self.query.weight}) so a safetensors file maps onto a model without a
 * translation table. Parameters are leaf tensors; {@link #freeze()} and the LoRA injector decide which require
 * gradients.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a parameter under {@code name}; it requires gradients unless frozen later. Returns it. */
    protected Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        value.requiresGrad(true);
        parameters.put(name, value);
        return value;
    }

    /** Registers a child module under {@code name}. Returns it. */
    protected <M extends Module> M registerModule(String name, M child) {
        checkName(name);
        children.put(name, child);
        return child;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module member name must be non-empty and dot-free: '" + name + "'");
        }
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("duplicate module member '" + name + "' in " + getClass().getSimpleName());
        }
    }

    /** Replaces the child registered under {@code name} (used to wrap layers, e.g. with LoRA). */
    public void replaceChild(String name, Module replacement) {
        if (!children.containsKey(name)) {
            throw new IllegalArgumentException("no child '" + name + "' in " + getClass().getSimpleName());
        }
        children.put(name, replacement);
    }

    /** Replaces a parameter's value in place of the old tensor (same shape), e.g. when loading weights. */
    protected void replaceParameter(String name, Tensor value) {
        Tensor old = parameters.get(name);
        if (old == null) {
            throw new IllegalArgumentException("no parameter '" + name + "' in " + getClass().getSimpleName());
        }
        if (!Arrays.equals(old.shape(), value.shape())) {
            throw ShapeMismatchException.of("replaceParameter " + name, "shape differs:", value.shape(), old.shape());
        }
        value.requiresGrad(old.requiresGrad());
        parameters.put(name, value);
    }

    /**
     * Runs the child registered under {@code name} on {@code x}, looked up now (not at construction), so that a
     * replaced child (a LoRA wrapper) is used.
     */
    protected Tensor call(String name, Tensor x) {
        Module m = children.get(name);
        if (!(m instanceof Layer layer)) {
            throw new IllegalStateException(getClass().getSimpleName() + ": child '" + name + "' is "
                    + (m == null ? "missing" : "not a Layer (" + m.getClass().getSimpleName() + ")"));
        }
        return layer.forward(x);
    }

    /** @return the child registered under {@code name}, or null. */
    public Module child(String name) {
        return children.get(name);
    }

    /** @return this module's own parameters (not its children's), in registration order. */
    public Map<String, Tensor> localParameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** @return the direct children, in registration order. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** @return every parameter in the tree, keyed by its dotted path. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        parameters.forEach((n, t) -> out.put(prefix + n, t));
        children.forEach((n, m) -> m.collect(prefix + n + ".", out));
    }

    /** @return every module in the tree keyed by dotted path ("" for this one), parents before children. */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        out.put("", this);
        children.forEach((n, m) -> m.namedModules().forEach((p, mm) -> out.put(p.isEmpty() ? n : n + "." + p, mm)));
        return out;
    }

    /** @return the parameters that require gradients. */
    public List<Tensor> trainableParameters() {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : namedParameters().values()) {
            if (t.requiresGrad()) {
                out.add(t);
            }
        }
        return out;
    }

    /** Stops gradients for every parameter in the tree. */
    public void freeze() {
        namedParameters().values().forEach(t -> t.requiresGrad(false));
    }

    /** Clears every parameter's gradient. */
    public void zeroGrad() {
        namedParameters().values().forEach(Tensor::zeroGrad);
    }

    /** Training mode (dropout active) for the whole tree. */
    public Module train() {
        setTraining(true);
        return this;
    }

    /** Evaluation mode (dropout off) for the whole tree. */
    public Module eval() {
        setTraining(false);
        return this;
    }

    private void setTraining(boolean t) {
        training = t;
        children.values().forEach(c -> c.setTraining(t));
    }

    /** @return whether this module is in training mode. */
    public boolean isTraining() {
        return training;
    }

    /** @return the state dict: dotted name → tensor (shared, not copied). */
    public Map<String, Tensor> stateDict() {
        return namedParameters();
    }

    /**
     * Loads values by dotted name. With {@code strict}, missing or unexpected names fail with one message listing
     * all of them; shape mismatches always fail, all listed together.
     */
    public void loadStateDict(Map<String, Tensor> values, boolean strict) {
        Map<String, Tensor> own = namedParameters();
        List<String> problems = new ArrayList<>();
        for (String k : own.keySet()) {
            if (!values.containsKey(k) && strict) {
                problems.add("missing " + k);
            }
        }
        for (Map.Entry<String, Tensor> e : values.entrySet()) {
            Tensor mine = own.get(e.getKey());
            if (mine == null) {
                if (strict) {
                    problems.add("unexpected " + e.getKey());
                }
            } else if (!Arrays.equals(mine.shape(), e.getValue().shape())) {
                problems.add("shape of " + e.getKey() + ": file " + Arrays.toString(e.getValue().shape()) + " vs model "
                        + Arrays.toString(mine.shape()));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("loadStateDict: " + String.join("; ", problems));
        }
        for (Map.Entry<String, Tensor> e : values.entrySet()) {
            if (own.containsKey(e.getKey())) {
                setByPath(e.getKey(), e.getValue());
            }
        }
    }

    private void setByPath(String path, Tensor value) {
        int dot = path.indexOf('.');
        if (dot < 0) {
            replaceParameter(path, value.detach());
            return;
        }
        Module child = children.get(path.substring(0, dot));
        child.setByPath(path.substring(dot + 1), value);
    }

    /**
     * Re-seeds every random generator in the tree (dropout masks) from one seed mixed with each module's path, so
     * that a micro-batch's randomness depends only on (seed, path) and not on how many batches ran before — what an
     * exactly resumable run needs. Trainers call it with the per-micro-batch seed.
     */
    public final void reseed(long seed) {
        reseedTree("", seed);
    }

    private void reseedTree(String path, long seed) {
        onReseed(seed * 0x9E3779B97F4A7C15L + path.hashCode());
        children.forEach((n, m) -> m.reseedTree(path + "." + n, seed));
    }

    /** Resets this module's own random generator, if it has one. */
    protected void onReseed(long seed) {}

    /** @return total number of parameter elements in the tree. */
    public long parameterCount() {
        return namedParameters().values().stream().mapToLong(Tensor::numel).sum();
    }
}
