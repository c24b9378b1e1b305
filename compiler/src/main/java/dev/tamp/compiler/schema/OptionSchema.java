package dev.tamp.compiler.schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The options a block accepts. For pass statements the {@code method} option selects among methods, and each
 * other option may be limited to some of them; pairs listed in {@link #conflicts()} cannot both be given.
 */
public record OptionSchema(String summary, Map<String, OptionSpec> options, List<List<String>> conflicts) {

    public OptionSchema {
        options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
        conflicts = List.copyOf(conflicts);
    }

    public Optional<OptionSpec> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    /** The method words, if this schema has a {@code method} option. */
    public List<String> methods() {
        OptionSpec method = options.get("method");
        if (method != null && method.type() instanceof ValueType.Choice choice) {
            return choice.words();
        }
        return List.of();
    }

    public static Builder builder(String summary) {
        return new Builder(summary);
    }

    /** Declares a schema option by option, in the order docs list them. */
    public static final class Builder {
        private final String summary;
        private final Map<String, OptionSpec> options = new LinkedHashMap<>();
        private final List<List<String>> conflicts = new ArrayList<>();

        private Builder(String summary) {
            this.summary = summary;
        }

        public Builder option(String name, ValueType type, String defaultText, String doc) {
            return add(new OptionSpec(name, type, false, Optional.ofNullable(defaultText), false, Set.of(), doc));
        }

        public Builder tunable(String name, ValueType type, String defaultText, String doc) {
            return add(new OptionSpec(name, type, true, Optional.ofNullable(defaultText), false, Set.of(), doc));
        }

        public Builder required(String name, ValueType type, String doc) {
            return add(new OptionSpec(name, type, false, Optional.empty(), true, Set.of(), doc));
        }

        /** A required option the planner may also choose ({@code auto}). */
        public Builder requiredTunable(String name, ValueType type, String doc) {
            return add(new OptionSpec(name, type, true, Optional.empty(), true, Set.of(), doc));
        }

        /** Limits the most recently declared option to some methods. */
        public Builder forMethods(String... methods) {
            String last = options.keySet().stream().reduce((a, b) -> b).orElseThrow();
            OptionSpec spec = options.get(last);
            options.put(last, new OptionSpec(spec.name(), spec.type(), spec.tunable(), spec.defaultText(),
                    spec.required(), Set.of(methods), spec.doc()));
            return this;
        }

        public Builder conflict(String a, String b) {
            conflicts.add(List.of(a, b));
            return this;
        }

        private Builder add(OptionSpec spec) {
            if (options.put(spec.name(), spec) != null) {
                throw new IllegalArgumentException("option declared twice: " + spec.name());
            }
            return this;
        }

        public OptionSchema build() {
            return new OptionSchema(summary, options, conflicts);
        }
    }
}
