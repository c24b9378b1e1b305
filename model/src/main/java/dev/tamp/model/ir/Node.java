package dev.tamp.model.ir;

import java.util.List;
import java.util.Objects;

/**
 * One layer of the graph: an operator applied to named input tensors, producing named outputs. An empty input name
 * marks an omitted optional input, as in ONNX.
 */
public record Node(String name, String opType, List<String> inputs, List<String> outputs, Attributes attributes) {
    public Node {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(opType, "opType");
        Objects.requireNonNull(attributes, "attributes");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        if (opType.isEmpty()) {
            throw new IllegalArgumentException("node " + name + " has no op type");
        }
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("node " + name + " has no outputs");
        }
    }

    /** The i-th input name, or empty when absent or omitted. */
    public String input(int i) {
        return i < inputs.size() ? inputs.get(i) : "";
    }

    /** The i-th output name, or empty when absent. */
    public String output(int i) {
        return i < outputs.size() ? outputs.get(i) : "";
    }

    public boolean hasInput(int i) {
        return !input(i).isEmpty();
    }
}
