package dev.tamp.compiler.ast;

import dev.tamp.compiler.source.SourceSpan;
import java.util.List;

/** A top-level declaration: a compression recipe or a hardware target spec. */
public sealed interface Declaration extends Node {
    Name name();

    /** {@code recipe NAME { statements }}. */
    record Recipe(Name name, List<Statement> statements, SourceSpan span) implements Declaration {
        public Recipe {
            statements = List.copyOf(statements);
        }
    }

    /** {@code target NAME { properties }}. */
    record Target(Name name, OptionBlock properties, SourceSpan span) implements Declaration {}
}
