package dev.tamp.compiler.ast;

import dev.tamp.compiler.source.SourceSpan;
import java.util.Objects;

/** A name as written: a recipe, layer, option, method or unit word. */
public record Name(String text, SourceSpan span) implements Node {
    public Name {
        Objects.requireNonNull(text);
    }
}
