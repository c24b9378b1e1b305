package dev.tamp.compiler.ir;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The resolved options of one statement: every option the schema declares with a default or an explicit value, in
 * schema order, with typed accessors. Options without a default that were not given are absent.
 */
public record Settings(Map<String, Setting> values) {
    public Settings {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public Optional<Setting> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    public boolean isExplicit(String name) {
        return get(name).map(s -> s.origin().isPresent()).orElse(false);
    }

    public String word(String name) {
        return ((Setting.Word) require(name)).word();
    }

    public double number(String name) {
        return ((Setting.Num) require(name)).value();
    }

    /** Whether a number was given as a fraction ({@code 100 %}, {@code 0.5}) rather than a count ({@code 1}). */
    public boolean isFraction(String name) {
        return ((Setting.Num) require(name)).fraction();
    }

    public boolean flag(String name) {
        return ((Setting.Flag) require(name)).value();
    }

    public String text(String name) {
        return ((Setting.Text) require(name)).text();
    }

    public boolean isAuto(String name) {
        return get(name).map(s -> s instanceof Setting.Auto).orElse(false);
    }

    private Setting require(String name) {
        Setting s = values.get(name);
        if (s == null) {
            throw new IllegalStateException("option `" + name + "` has no value");
        }
        return s;
    }
}
