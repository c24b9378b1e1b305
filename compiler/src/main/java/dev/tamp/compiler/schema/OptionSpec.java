package dev.tamp.compiler.schema;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One option a statement accepts: its name, the kind of value, whether the planner may choose it ({@code auto}),
 * its default (as source text, shown in docs and parsed like user input), the methods it applies to (empty: all),
 * and what it means.
 */
public record OptionSpec(String name, ValueType type, boolean tunable, Optional<String> defaultText,
                         boolean required, Set<String> methods, String doc) {

    public OptionSpec {
        Objects.requireNonNull(name);
        Objects.requireNonNull(type);
        Objects.requireNonNull(defaultText);
        methods = Set.copyOf(methods);
        Objects.requireNonNull(doc);
        if (required && defaultText.isPresent()) {
            throw new IllegalArgumentException(name + ": a required option has no default");
        }
    }

    public boolean appliesTo(String method) {
        return methods.isEmpty() || methods.contains(method);
    }

    /** The applicable methods in declaration order for docs, or an empty list for all. */
    public List<String> methodList(List<String> allMethods) {
        return allMethods.stream().filter(methods::contains).toList();
    }
}
