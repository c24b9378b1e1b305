package dev.tamp.compiler.ast;

import dev.tamp.compiler.source.SourceSpan;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/** The value of an option or property. Which forms an option accepts is the statement schema's business. */
public sealed interface Value extends Node {

    /** A short description of the form, for "expected X, found Y" messages. */
    String describe();

    /** {@code auto}, {@code auto in 50 % .. 95 %}, {@code auto in {3, 4, 8}}: the planner chooses. */
    record Auto(Optional<Range> range, List<Quantity> choices, SourceSpan span) implements Value {
        public Auto {
            choices = List.copyOf(choices);
            if (range.isPresent() && !choices.isEmpty()) {
                throw new IllegalArgumentException("auto has a range or a set of choices, not both");
            }
        }

        @Override
        public String describe() {
            return "`auto`";
        }
    }

    /** {@code low .. high}. */
    record Range(Quantity low, Quantity high, SourceSpan span) implements Value {
        @Override
        public String describe() {
            return "a range";
        }
    }

    /** {@code {a, b, c}}. */
    record Set(List<Value> elements, SourceSpan span) implements Value {
        public Set {
            elements = List.copyOf(elements);
        }

        @Override
        public String describe() {
            return "a set";
        }
    }

    /** A nested block of options: {@code peak { fp32 40 GFLOPS }}. */
    record Block(OptionBlock block, SourceSpan span) implements Value {
        @Override
        public String describe() {
            return "a block";
        }
    }

    /** A number with an optional unit. */
    record Number(Quantity quantity, SourceSpan span) implements Value {
        @Override
        public String describe() {
            return quantity.unit().map(u -> u.dimension().description() + " (`" + quantity.text() + "`)")
                    .orElse("a number");
        }
    }

    /** {@code 1/255}. */
    record Fraction(BigDecimal numerator, BigDecimal denominator, SourceSpan span) implements Value {
        @Override
        public String describe() {
            return "a fraction";
        }
    }

    /** {@code 2:4}. */
    record Ratio(int left, int right, SourceSpan span) implements Value {
        @Override
        public String describe() {
            return "a ratio";
        }
    }

    /** {@code 4x4}, {@code 1x4}. */
    record Shape(List<Integer> dims, SourceSpan span) implements Value {
        public Shape {
            dims = List.copyOf(dims);
        }

        @Override
        public String describe() {
            return "a shape";
        }
    }

    /** A string literal, escapes resolved. */
    record Text(String value, SourceSpan span) implements Value {
        @Override
        public String describe() {
            return "a string";
        }
    }

    /** A bare word: a method, a setting or a name. */
    record Word(String word, SourceSpan span) implements Value {
        @Override
        public String describe() {
            return "the word `" + word + "`";
        }
    }
}
