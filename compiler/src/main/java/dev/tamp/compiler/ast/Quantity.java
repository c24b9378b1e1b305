package dev.tamp.compiler.ast;

import dev.tamp.compiler.source.SourceSpan;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/** A number as written, with an optional unit: {@code 40 KB}, {@code 0.5 %}, {@code 1e-3}. */
public record Quantity(BigDecimal number, Optional<Unit> unit, SourceSpan span) implements Node {
    public Quantity {
        Objects.requireNonNull(number);
        Objects.requireNonNull(unit);
    }

    /** The value in the canonical unit of its dimension (bytes, seconds, a fraction, ...). */
    public BigDecimal canonical() {
        return unit.map(u -> number.multiply(u.factor())).orElse(number);
    }

    /** As written: {@code 40 KB}. */
    public String text() {
        return number.toString() + unit.map(u -> " " + u.symbol()).orElse("");
    }
}
