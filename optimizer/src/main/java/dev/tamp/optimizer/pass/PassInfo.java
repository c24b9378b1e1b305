package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a pass is, as MLIR describes its passes: a kebab-case name, a one-line summary, the recipe family whose
 * statements drive it and the method it implements there, the options it reads and the statistics it counts.
 */
public record PassInfo(String name, String summary, PassKind family, String method, List<String> options,
        List<String> statistics) {
    private static final Pattern KEBAB = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    public PassInfo {
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(method, "method");
        options = List.copyOf(options);
        statistics = List.copyOf(statistics);
        if (name == null || !KEBAB.matcher(name).matches()) {
            throw new IllegalArgumentException("pass names are kebab-case, got " + name);
        }
        for (String s : statistics) {
            if (!KEBAB.matcher(s).matches()) {
                throw new IllegalArgumentException("statistic names are kebab-case, got " + s);
            }
        }
    }
}
