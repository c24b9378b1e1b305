package dev.tamp.compiler.ast;

import dev.tamp.compiler.source.SourceSpan;
import java.util.List;

/** One parsed file: its recipe and target declarations in source order. */
public record CompilationUnit(List<Declaration> declarations, SourceSpan span) implements Node {
    public CompilationUnit {
        declarations = List.copyOf(declarations);
    }
}
