package dev.tamp.compiler.ast;

import dev.tamp.compiler.source.SourceSpan;
import java.util.List;

/** {@code { key value; ... }}: the options of a statement or the properties of a target. */
public record OptionBlock(List<Option> options, SourceSpan span) implements Node {
    public OptionBlock {
        options = List.copyOf(options);
    }
}
