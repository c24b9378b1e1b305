package dev.tamp.compiler.ast;

import dev.tamp.compiler.source.SourceSpan;

/** {@code key value}. */
public record Option(Name key, Value value, SourceSpan span) implements Node {}
