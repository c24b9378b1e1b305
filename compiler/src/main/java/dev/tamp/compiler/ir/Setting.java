package dev.tamp.compiler.ir;

import dev.tamp.compiler.source.SourceSpan;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A checked option value in canonical units (bytes, seconds, fractions, counts). {@code origin} points at the source
 * that set it; defaults have none.
 */
public sealed interface Setting {
    Optional<SourceSpan> origin();

    /**
     * A number in the canonical unit of its dimension. {@code fraction} says it was checked as a fraction (`100 %`),
     * which options taking a count or a fraction need: both read 1.0 for `1` and `100 %`.
     */
    record Num(double value, Optional<SourceSpan> origin, boolean fraction) implements Setting {
        public Num(double value, Optional<SourceSpan> origin) {
            this(value, origin, false);
        }
    }

    /** The planner chooses, optionally within [low, high] or among choices (canonical units). */
    record Auto(OptionalDouble low, OptionalDouble high, List<Double> choices, Optional<SourceSpan> origin)
            implements Setting {
        public Auto {
            choices = List.copyOf(choices);
        }
    }

    /** One word of a fixed set (a method, a granularity). */
    record Word(String word, Optional<SourceSpan> origin) implements Setting {}

    record Flag(boolean value, Optional<SourceSpan> origin) implements Setting {}

    record Text(String text, Optional<SourceSpan> origin) implements Setting {}

    /** {@code n:m}. */
    record Ratio(int n, int m, Optional<SourceSpan> origin) implements Setting {}

    record Shape(List<Integer> dims, Optional<SourceSpan> origin) implements Setting {
        public Shape {
            dims = List.copyOf(dims);
        }
    }

    /** A nested block, its options resolved. */
    record Group(Map<String, Setting> settings, Optional<SourceSpan> origin) implements Setting {
        public Group {
            settings = Map.copyOf(settings);
        }
    }
}
