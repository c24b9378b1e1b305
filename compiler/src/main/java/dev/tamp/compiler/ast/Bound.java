package dev.tamp.compiler.ast;

import dev.tamp.compiler.source.SourceSpan;
import java.util.Optional;

/** The right-hand side of a budget entry. */
public sealed interface Bound extends Node {

    /** A fixed value: {@code 40 KB}. */
    record Absolute(Quantity value, SourceSpan span) implements Bound {}

    /** Relative to the uncompressed model's measured value: {@code baseline - 0.5 %}; the offset is signed. */
    record Baseline(Optional<Quantity> offset, boolean negative, SourceSpan span) implements Bound {}
}
