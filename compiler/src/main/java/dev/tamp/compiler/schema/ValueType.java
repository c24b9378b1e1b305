package dev.tamp.compiler.schema;

import dev.tamp.compiler.ast.Unit;
import dev.tamp.compiler.diag.DiagnosticCode;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** The kinds of value an option accepts, with their bounds. Checked by {@link OptionChecker}. */
public sealed interface ValueType {

    /** How the type reads in docs and messages: "a fraction such as `50 %`". */
    String describe();

    /**
     * A number. With a dimension, a unit of that dimension is required unless {@code unitOptional} (then a bare
     * number is already in the canonical unit); without one, no unit is allowed. Bounds are on the canonical value.
     */
    record Number(Optional<Unit.Dimension> dimension, boolean unitOptional, boolean integer,
                  double min, boolean minInclusive, double max, boolean maxInclusive) implements ValueType {
        @Override
        public String describe() {
            if (dimension.isPresent()) {
                Unit.Dimension d = dimension.get();
                if (d == Unit.Dimension.FRACTION) {
                    return "a fraction such as `50 %` or `0.5`";
                }
                return d.description() + " such as `" + d.example() + "`";
            }
            return integer ? "a whole number" : "a number";
        }

        public String boundsText() {
            String lo = (minInclusive ? "[" : "(") + format(min);
            String hi = format(max) + (maxInclusive ? "]" : ")");
            return lo + ", " + hi;
        }

        static String format(double v) {
            if (v == Double.POSITIVE_INFINITY) {
                return "∞";
            }
            if (v == Math.rint(v) && Math.abs(v) < 1e15) {
                return String.valueOf((long) v);
            }
            return String.valueOf(v);
        }
    }

    /** One word out of a fixed set. */
    record Choice(List<String> words) implements ValueType {
        public Choice {
            words = List.copyOf(words);
        }

        @Override
        public String describe() {
            return "one of " + String.join(", ", words.stream().map(w -> "`" + w + "`").toList());
        }
    }

    /** {@code yes}/{@code no} (also {@code true}/{@code false}, {@code on}/{@code off}). */
    record Flag() implements ValueType {
        public static final Set<String> TRUE = Set.of("yes", "true", "on");
        public static final Set<String> FALSE = Set.of("no", "false", "off");

        @Override
        public String describe() {
            return "`yes` or `no`";
        }
    }

    /** A string, checked by a validator that returns an error message for bad text (reported with {@code code}). */
    record Text(String what, Function<String, Optional<String>> validator, DiagnosticCode code) implements ValueType {
        @Override
        public String describe() {
            return what;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Text t && t.what.equals(what);
        }

        @Override
        public int hashCode() {
            return what.hashCode();
        }
    }

    /** {@code n:m} with 0 < n < m ≤ {@link #MAX_GROUP}. */
    record Ratio() implements ValueType {
        /** The largest group M of N:M sparsity. */
        public static final int MAX_GROUP = 64;

        @Override
        public String describe() {
            return "a ratio such as `2:4`";
        }
    }

    /** {@code AxB}: a block shape. */
    record Shape(int rank) implements ValueType {
        @Override
        public String describe() {
            return "a shape such as `4x4`";
        }
    }

    /** A nested block of options with its own schema. */
    record Group(OptionSchema schema) implements ValueType {
        @Override
        public String describe() {
            return "a block `{ ... }`";
        }
    }

    /** Any of several forms, tried in order: the first whose form matches the value decides. */
    record OneOf(List<ValueType> alternatives) implements ValueType {
        public OneOf {
            alternatives = List.copyOf(alternatives);
        }

        @Override
        public String describe() {
            List<String> parts = alternatives.stream().map(ValueType::describe).toList();
            return String.join(", or ", parts);
        }
    }
}
