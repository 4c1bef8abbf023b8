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

    /** Reverse-mode sweep from {@code root} with seed gradient {@code seed}; frees the graph as it goes. */
    static void backward(Tensor root, Tensor seed) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: tensor does not require grad (no parameter contributed to it)");
        }
        List<Tensor> order = topologicalOrder(root);
        root.accumulateGrad(seed);
        try (NoGrad ignored = NoGrad.enter()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Node n = t.node;
                if (n == null) {
                    continue;
                }
                Tensor g = t.grad();
                if (g != null) {
                    n.backward().apply(g);
                }
                // Non-leaf gradients and the graph are not needed after their node ran.
                t.zeroGrad();
                t.node = null;
            }
        }
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
