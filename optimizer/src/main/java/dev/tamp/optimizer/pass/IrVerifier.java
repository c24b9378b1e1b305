package dev.tamp.optimizer.pass;

import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Weight;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Checks what every weight-rewriting pass must keep: the same nodes, inputs, outputs and inferred values, the same
 * weights with the same dimensions, and stored bytes equal to the length of the serialized bytes for each weight the
 * pass replaced. Structural passes (filter removal, a layer replaced by several) are held to {@link
 * #rewriteProblems}: the same graph inputs and outputs with the same types. The graph's own constructor already
 * guarantees it is well formed.
 */
public final class IrVerifier {
    private IrVerifier() {}

    /** The problems found, empty when {@code after} is a valid result of a pass applied to {@code before}. */
    public static List<String> problems(Model before, Model after) {
        Graph a = before.graph();
        Graph b = after.graph();
        List<String> problems = new ArrayList<>();
        if (!a.nodes().equals(b.nodes())) {
            problems.add("the nodes changed");
        }
        if (!a.inputs().equals(b.inputs()) || !a.outputs().equals(b.outputs())) {
            problems.add("the graph's inputs or outputs changed");
        }
        if (!a.values().equals(b.values())) {
            problems.add("the inferred value types changed");
        }
        if (!a.weights().keySet().equals(b.weights().keySet())) {
            problems.add("the weight names changed: " + a.weights().keySet() + " -> " + b.weights().keySet());
            return problems;
        }
        for (Weight w : a.weights().values()) {
            Representation old = w.representation();
            Representation now = b.weights().get(w.name()).representation();
            if (!Arrays.equals(old.dims(), now.dims())) {
                problems.add(w.name() + ": dims " + Arrays.toString(old.dims()) + " became "
                        + Arrays.toString(now.dims()));
            }
            if (old.dataType() != now.dataType()) {
                problems.add(w.name() + ": element type " + old.dataType() + " became " + now.dataType());
            }
            if (!Objects.equals(old, now) && now.storedBytes() != now.serialize().length) {
                problems.add(w.name() + ": storedBytes " + now.storedBytes() + " but " + now.serialize().length
                        + " serialized bytes");
            }
        }
        return problems;
    }

    /**
     * The problems of a structural rewrite: the graph must still read the same inputs and produce the same outputs
     * (names, types, shapes), and every weight must store exactly its serialized bytes.
     */
    public static List<String> rewriteProblems(Model before, Model after) {
        Graph a = before.graph();
        Graph b = after.graph();
        List<String> problems = new ArrayList<>();
        if (!a.inputs().equals(b.inputs())) {
            problems.add("the graph's inputs changed: " + a.inputs() + " -> " + b.inputs());
        }
        if (!a.outputs().equals(b.outputs())) {
            problems.add("the graph's outputs changed: " + a.outputs() + " -> " + b.outputs());
        }
        for (Weight w : b.weights().values()) {
            Weight old = a.weights().get(w.name());
            Representation now = w.representation();
            if ((old == null || !old.representation().equals(now)) && now.storedBytes() != now.serialize().length) {
                problems.add(w.name() + ": storedBytes " + now.storedBytes() + " but " + now.serialize().length
                        + " serialized bytes");
            }
        }
        return problems;
    }

    /** Throws with every problem listed when {@code after} is not a valid structural rewrite of {@code before}. */
    public static void verifyRewrite(String passName, Model before, Model after) {
        List<String> problems = rewriteProblems(before, after);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("IR verifier after " + passName + ": " + String.join("; ", problems));
        }
    }

    /** Throws with every problem listed when {@code after} is not a valid result of a pass. */
    public static void verify(String passName, Model before, Model after) {
        List<String> problems = problems(before, after);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("IR verifier after " + passName + ": " + String.join("; ", problems));
        }
    }
}
