package dev.tamp.compiler.ir;

import dev.tamp.compiler.ast.BudgetEntry.Comparison;
import dev.tamp.compiler.source.SourceSpan;

/**
 * One checked budget: a metric bounded by a value in canonical units (bytes, seconds, an accuracy fraction). With
 * {@code relativeToBaseline}, the bound is the uncompressed model's measured value plus {@code value} (negative: below).
 */
public record Budget(String metric, Comparison comparison, double value, boolean relativeToBaseline, SourceSpan span) {}
