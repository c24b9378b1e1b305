package dev.tamp.compiler.ir;

import dev.tamp.compiler.source.SourceSpan;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/** A checked layer selector: included terms minus excluded terms, ready to match layers. */
public record LayerSelector(List<Term> include, List<Term> exclude, SourceSpan span) {

    public LayerSelector {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
    }

    /** Selects every layer: what a statement without a selector applies to. */
    public static LayerSelector all(SourceSpan span) {
        return new LayerSelector(List.of(new Term.All(span)), List.of(), span);
    }

    public boolean matches(LayerRef layer) {
        return include.stream().anyMatch(t -> t.matches(layer)) && exclude.stream().noneMatch(t -> t.matches(layer));
    }

    /** One way of naming layers. */
    public sealed interface Term {
        SourceSpan span();

        boolean matches(LayerRef layer);

        record All(SourceSpan span) implements Term {
            @Override
            public boolean matches(LayerRef layer) {
                return true;
            }
        }

        record Exact(String name, SourceSpan span) implements Term {
            @Override
            public boolean matches(LayerRef layer) {
                return layer.name().equals(name) || layer.aliases().contains(name);
            }
        }

        /** A glob or regex, compiled; matched against the whole name or any alias. */
        record Pattern(String source, java.util.regex.Pattern compiled, boolean glob, SourceSpan span) implements Term {
            public Pattern {
                Objects.requireNonNull(compiled);
            }

            @Override
            public boolean matches(LayerRef layer) {
                return compiled.matcher(layer.name()).matches()
                        || layer.aliases().stream().anyMatch(a -> compiled.matcher(a).matches());
            }

            @Override
            public boolean equals(Object o) {
                return o instanceof Pattern p && p.source.equals(source) && p.glob == glob && p.span.equals(span);
            }

            @Override
            public int hashCode() {
                return Objects.hash(source, glob, span);
            }
        }

        record OpType(String opType, SourceSpan span) implements Term {
            @Override
            public boolean matches(LayerRef layer) {
                return layer.opType().equals(opType);
            }
        }

        record Position(int position, SourceSpan span) implements Term {
            @Override
            public boolean matches(LayerRef layer) {
                return layer.position() == position;
            }
        }
    }

    /** Translates a shell glob ({@code *} any run, {@code ?} one character) into an anchored regex. */
    public static java.util.regex.Pattern compileGlob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(java.util.regex.Pattern.quote(String.valueOf(c)));
            }
        }
        return java.util.regex.Pattern.compile(regex.toString());
    }
}
