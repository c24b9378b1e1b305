package dev.tamp.compiler.ast;

import dev.tamp.compiler.source.SourceSpan;

/** {@code metric comparison bound}: {@code size <= 40 KB}, {@code accuracy >= baseline - 0.5 %}. */
public record BudgetEntry(Name metric, Comparison comparison, SourceSpan comparisonSpan, Bound bound, SourceSpan span)
        implements Node {

    /** The relational operators a budget may use. */
    public enum Comparison {
        LE("<="), LT("<"), GE(">="), GT(">"), EQ("==");

        private final String symbol;

        Comparison(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        public boolean isUpperBound() {
            return this == LE || this == LT;
        }

        public boolean isLowerBound() {
            return this == GE || this == GT;
        }
    }
}
