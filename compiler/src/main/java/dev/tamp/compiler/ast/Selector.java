package dev.tamp.compiler.ast;

import dev.tamp.compiler.source.SourceSpan;
import java.util.List;

/** Which layers a statement applies to: a union of terms, minus the excluded terms. */
public record Selector(List<SelectorTerm> include, List<SelectorTerm> exclude, SourceSpan span) implements Node {
    public Selector {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
        if (include.isEmpty()) {
            throw new IllegalArgumentException("a selector includes at least one term");
        }
    }
}
