package dev.tamp.compiler.ast;

import dev.tamp.compiler.source.SourceSpan;
import java.util.List;
import java.util.Optional;

/** A statement in a recipe body. */
public sealed interface Statement extends Node {

    /** {@code model "path.onnx"}. */
    record Model(StringLiteral path, SourceSpan span) implements Statement {}

    /** {@code data [NAME] ["path"] [{ options }]}. */
    record Data(Optional<Name> name, Optional<StringLiteral> path, Optional<OptionBlock> options, SourceSpan span)
            implements Statement {}

    /** {@code target "path.target"} or {@code target NAME} (a spec shipped with tamp). */
    record TargetRef(Optional<StringLiteral> path, Optional<Name> name, SourceSpan span) implements Statement {
        public TargetRef {
            if (path.isPresent() == name.isPresent()) {
                throw new IllegalArgumentException("a target reference is a path or a name");
            }
        }
    }

    /** {@code seed 42}. */
    record Seed(Value.Number value, SourceSpan span) implements Statement {}

    /** {@code budget { entries }}. */
    record Budget(List<BudgetEntry> entries, SourceSpan span) implements Statement {
        public Budget {
            entries = List.copyOf(entries);
        }
    }

    /** {@code emit LANGUAGE [{ options }]}. */
    record Emit(Name language, Optional<OptionBlock> options, SourceSpan span) implements Statement {}

    /** A compression pass request: {@code KIND [selector] [{ options }]}. */
    record Pass(PassKind kind, SourceSpan kindSpan, Optional<Selector> selector, Optional<OptionBlock> options,
                SourceSpan span) implements Statement {}

    /** A string literal with its escapes resolved. */
    record StringLiteral(String value, SourceSpan span) {}
}
