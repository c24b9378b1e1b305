package dev.tamp.compiler.ast;

import dev.tamp.compiler.source.SourceSpan;

/** One way of naming layers in a selector. */
public sealed interface SelectorTerm extends Node {

    /** {@code *}: every compressible layer. */
    record All(SourceSpan span) implements SelectorTerm {}

    /** An exact layer name: {@code fc1}, or quoted for names that are not plain words: {@code "onnx::Conv_89"}. */
    record Exact(String name, boolean quoted, SourceSpan span) implements SelectorTerm {}

    /** A shell-style pattern: {@code conv*}, {@code fc?}. */
    record Glob(String pattern, SourceSpan span) implements SelectorTerm {}

    /** A Java regular expression matched against the whole name: {@code re"conv[0-9]+"}. */
    record Regex(String pattern, SourceSpan span) implements SelectorTerm {}

    /** Every layer of an ONNX operator type: {@code type Conv}. */
    record OpType(String opType, SourceSpan span) implements SelectorTerm {}

    /** The layer at a 1-based position in the model's layer list, as {@code tamp inspect} numbers them: {@code #2}. */
    record Position(int index, SourceSpan span) implements SelectorTerm {}
}
