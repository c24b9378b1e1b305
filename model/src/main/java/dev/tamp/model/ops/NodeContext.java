package dev.tamp.model.ops;

import dev.tamp.model.ir.Attributes;
import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an operator may know about a node before it runs: the node, the opset whose semantics apply and the values of
 * inputs that are constant (weights and Constant outputs; {@code null} for the others).
 */
public record NodeContext(Node node, int opset, List<Tensor> constants) {
    public NodeContext {
        // Entries are null for non-constant inputs, which List.copyOf rejects; an unmodifiable copy keeps them.
        constants = java.util.Collections.unmodifiableList(new ArrayList<>(constants));
    }

    public static NodeContext of(Node node, int opset) {
        return new NodeContext(node, opset, Arrays.asList(new Tensor[node.inputs().size()]));
    }

    public Attributes attrs() {
        return node.attributes();
    }

    /** The constant value of input i, or null when it is computed at run time or absent. */
    public Tensor constant(int i) {
        return i < constants.size() ? constants.get(i) : null;
    }

    public boolean hasInput(int i) {
        return node.hasInput(i);
    }

    /** Rejects attributes this implementation does not know, so a silently ignored semantic never passes as support. */
    public void allowAttributes(String... names) {
        Set<String> unknown = new TreeSet<>(attrs().values().keySet());
        unknown.removeAll(Set.of(names));
        if (!unknown.isEmpty()) {
            throw unsupported("attribute" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown));
        }
    }

    public UnsupportedFeatureException unsupported(String what) {
        return new UnsupportedFeatureException(node.opType() + " (opset " + opset + "): " + what);
    }

    public void requireInputs(List<TensorType> inputs, int min, int max) {
        int present = 0;
        for (int i = 0; i < node.inputs().size(); i++) {
            if (node.hasInput(i)) {
                present = i + 1;
            }
        }
        if (present < min || node.inputs().size() > max && present > max) {
            throw new IllegalArgumentException(
                    node.opType() + " takes " + min + ".." + max + " inputs, node has " + node.inputs().size());
        }
        for (int i = 0; i < min; i++) {
            if (!node.hasInput(i)) {
                throw new IllegalArgumentException(node.opType() + " input " + i + " is required");
            }
        }
    }

    public void requireOutputs(int max) {
        long used = node.outputs().stream().skip(max).filter(s -> !s.isEmpty()).count();
        if (used > 0) {
            throw unsupported("more than " + max + " output" + (max > 1 ? "s" : "") + " requested");
        }
    }

    public void requireFloat(List<TensorType> inputs, int... indices) {
        for (int i : indices) {
            if (i < inputs.size() && inputs.get(i) != null && inputs.get(i).type() != DataType.FLOAT) {
                throw unsupported("element type " + inputs.get(i).type() + " for input " + i + " (only FLOAT)");
            }
        }
    }

    /** Input i as a constant of integers (shape, axes, pads), failing as unsupported when it is not constant. */
    public long[] constantLongs(int i, String what) {
        Tensor t = constant(i);
        if (t == null) {
            throw unsupported(what + " computed at run time (only constant " + what + ")");
        }
        return t.asLongs();
    }

    public static int normalizeAxis(long axis, int rank, String opType) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException(opType + ": axis " + axis + " out of range for rank " + rank);
        }
        return (int) a;
    }
}
