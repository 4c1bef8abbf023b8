package dev.balora.core.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The tape: records op applications and runs the backward pass. */
public final class Autograd {
    private static final Set<String> RECORDED = ConcurrentHashMap.newKeySet();
    private static volatile boolean tracing;

    private Autograd() {}

    /**
     * Records that {@code out} was computed from {@code inputs} by {@code op}. When grad mode is on and any input
     * requires gradients, {@code out} requires them too and remembers the node. Returns {@code out}.
     */
    public static Tensor record(String op, Tensor out, Node.Backward backward, Tensor... inputs) {
        if (tracing) {
            RECORDED.add(op);
        }
        if (!NoGrad.gradEnabled()) {
            return out;
        }
        boolean any = false;
        for (Tensor t : inputs) {
            any |= t != null && t.requiresGrad();
        }
        if (any) {
            out.requiresGrad(true);
            out.node = new Node(op, inputs, backward);
        }
        return out;
    }

    /** Starts recording the names of every op applied (for the gradient-check coverage test). */
    public static void startTracing() {
        RECORDED.clear();
        tracing = true;
    }

    /** Stops recording and returns the op names seen since {@link #startTracing()}. */
    public static Set<String> stopTracing() {
        tracing = false;
        return Set.copyOf(RECORDED);
    }

    /**
     * Reverse-mode sweep from {@code root} with seed gradient {@code seed}; frees the graph as it goes.
     *
     * <p>On a device backend a non-leaf gradient's memory goes back as soon as nothing needs it any more — after its
     * node ran, when no other tensor's gradient shares its storage (ops pass a gradient on unchanged or as a view,
     * e.g. an addition to both inputs) — instead of when the step's {@link StorageScope} closes: gradients are as
     * large as the activations, and holding all of them to the end of the step doubled the peak device memory.
     * Storages a node's backward allocated that end up as no tensor's gradient (its scratch, or a gradient it added
     * into an existing one) go back when the node returns. Only storages this backward pass allocated are released
     * (never the seed, a forward tensor or anything a caller holds): a backward function must not keep a tensor it
     * allocated beyond its call except as a gradient. Host backends do not record allocations, so nothing changes
     * there.
     */
    static void backward(Tensor root, Tensor seed) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: tensor does not require grad (no parameter contributed to it)");
        }
        List<Tensor> order = topologicalOrder(root);
        Set<Storage> allocated = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Storage> outer = StorageScope.swapRecording(allocated);
        GradientLedger ledger = new GradientLedger(allocated);
        // One set reused for every node (cleared after each): no per-node allocation on the step's hot path.
        Set<Storage> byThisNode = Collections.newSetFromMap(new IdentityHashMap<>());
        try (NoGrad ignored = NoGrad.enter()) {
            root.accumulateGrad(seed);
            ledger.count(root.grad());
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Node n = t.node;
                if (n == null) {
                    continue;
                }
                Tensor g = t.grad();
                if (g != null) {
                    Tensor[] inputs = distinct(n.inputs());
                    Storage[] before = new Storage[inputs.length];
                    for (int j = 0; j < inputs.length; j++) {
                        before[j] = storageOf(inputs[j].grad());
                    }
                    StorageScope.swapRecording(byThisNode);
                    n.backward().apply(g);
                    StorageScope.swapRecording(allocated);
                    for (int j = 0; j < inputs.length; j++) {
                        Storage after = storageOf(inputs[j].grad());
                        if (after != before[j]) {
                            ledger.count(inputs[j].grad());
                            ledger.drop(before[j]);
                        }
                    }
                    // What the node allocated and no gradient holds was its own scratch (a gradient added into an
                    // existing one, a product reduced to a bias's shape): dead once the node returned.
                    for (Storage s : byThisNode) {
                        if (ledger.holds(s)) {
                            allocated.add(s);
                        } else {
                            s.release();
                        }
                    }
                    byThisNode.clear();
                }
                // Non-leaf gradients and the graph are not needed after their node ran.
                t.zeroGrad();
                t.node = null;
                ledger.drop(storageOf(g));
            }
        } finally {
            StorageScope.swapRecording(outer);
        }
    }

    /** How many tensors' gradients hold each storage; releases a storage this pass allocated when none does. */
    private static final class GradientLedger {
        private final Set<Storage> allocated;
        private final Map<Storage, Integer> holders = new IdentityHashMap<>();

        GradientLedger(Set<Storage> allocated) {
            this.allocated = allocated;
        }

        void count(Tensor grad) {
            Storage s = storageOf(grad);
            if (s != null) {
                holders.merge(s, 1, Integer::sum);
            }
        }

        boolean holds(Storage s) {
            return holders.containsKey(s);
        }

        void drop(Storage s) {
            if (s == null) {
                return;
            }
            Integer n = holders.get(s);
            if (n == null || n > 1) {
                if (n != null) {
                    holders.put(s, n - 1);
                }
                return;
            }
            holders.remove(s);
            if (allocated.remove(s)) {
                s.release();
            }
        }
    }

    private static Storage storageOf(Tensor t) {
        return t == null ? null : t.storage();
    }

    /** The inputs that take gradients, each once (an op may use one tensor twice, e.g. x·x). */
    private static Tensor[] distinct(Tensor[] inputs) {
        List<Tensor> out = new ArrayList<>(inputs.length);
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad() && !containsIdentity(out, in)) {
                out.add(in);
            }
        }
        return out.toArray(new Tensor[0]);
    }

    private static boolean containsIdentity(List<Tensor> list, Tensor t) {
        for (Tensor x : list) {
            if (x == t) {
                return true;
            }
        }
        return false;
    }

    /** Inputs before outputs, iteratively (deep graphs must not overflow the stack). */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Tensor[] inputs = t.node == null ? new Tensor[0] : t.node.inputs();
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.requiresGrad() && !visited.containsKey(in)) {
                    visited.put(in, Boolean.TRUE);
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return Collections.unmodifiableList(order);
    }
}
