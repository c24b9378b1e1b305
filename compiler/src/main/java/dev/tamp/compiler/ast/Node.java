package dev.tamp.compiler.ast;

import dev.tamp.compiler.source.SourceSpan;

/** A node of the recipe AST: an immutable record that knows where in the source it came from. */
public sealed interface Node
        permits CompilationUnit, Declaration, Statement, Name, Selector, SelectorTerm, OptionBlock, Option, Value,
                Quantity, BudgetEntry, Bound {
    SourceSpan span();
}
