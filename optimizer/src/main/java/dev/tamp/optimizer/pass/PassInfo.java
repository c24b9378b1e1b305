package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a pass is, as MLIR describes its passes: a kebab-case name, a one-line summary, the recipe family whose
 * statements drive it and the method it implements there, the options it reads, the statistics it counts and what it
 * may change, which decides how the IR verifier checks it.
 */
public record PassInfo(String name, String summary, PassKind family, String method, List<String> options,
        List<String> statistics, Effect effect) {
    /** What a pass may change. */
    public enum Effect {
        /** Only weights' representations: the nodes, values and weight dimensions stay as they were. */
        WEIGHTS,
        /** The graph itself (layers removed, replaced or narrowed); its inputs and outputs stay as they were. */
        GRAPH
    }

    /** A pass that changes weights' representations only. */
    public PassInfo(String name, String summary, PassKind family, String method, List<String> options,
            List<String> statistics) {
        this(name, summary, family, method, options, statistics, Effect.WEIGHTS);
    }
    private static final Pattern KEBAB = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    public PassInfo {
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(effect, "effect");
        options = List.copyOf(options);
        statistics = List.copyOf(statistics);
        if (name == null || !KEBAB.matcher(name).matches()) {
            throw new IllegalArgumentException("pass names are kebab-case, got " + name);
        }
        for (String s : statistics) {
            if (!KEBAB.matcher(s).matches()) {
                throw new IllegalArgumentException("statistic names are kebab-case, got " + s);
            }
        }
    }
}
