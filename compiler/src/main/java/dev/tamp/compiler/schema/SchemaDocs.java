package dev.tamp.compiler.schema;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ast.Unit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders the reference tables of docs/language.md from {@link Schemas} and {@link Unit}, so the documented options,
 * types, defaults, budgets and units are the ones the checker enforces. A test keeps the doc's generated sections
 * equal to this output.
 */
public final class SchemaDocs {
    private SchemaDocs() {}

    /** Every generated section of docs/language.md by marker name, in the order the doc shows them. */
    public static Map<String, String> sections() {
        Map<String, String> sections = new LinkedHashMap<>();
        sections.put("units", unitTable());
        sections.put("auto", tunableList());
        sections.put("budget", budgetTable());
        sections.put("data", schemaTable(Schemas.DATA));
        for (PassKind kind : PassKind.values()) {
            sections.put(kind.keyword(), schemaTable(Schemas.pass(kind)));
        }
        sections.put("emit-java", schemaTable(Schemas.EMIT_JAVA));
        sections.put("target", schemaTable(Schemas.TARGET));
        sections.put("target-peak", schemaTable(Schemas.PEAK));
        sections.put("target-memory", schemaTable(Schemas.MEMORY));
        sections.put("target-limits", schemaTable(Schemas.LIMITS));
        return sections;
    }

    /**
     * A statement's summary and its option table. The methods column appears only for statements with a
     * {@code method} option.
     */
    public static String schemaTable(OptionSchema schema) {
        boolean methods = !schema.methods().isEmpty();
        StringBuilder out = new StringBuilder();
        out.append(schema.summary()).append("\n\n");
        out.append("| Option | Type | Default | `auto` |").append(methods ? " Methods |" : "").append(" Meaning |\n");
        out.append("|---|---|---|---|").append(methods ? "---|" : "").append("---|\n");
        for (OptionSpec spec : schema.options().values()) {
            out.append("| `").append(spec.name()).append("` | ")
                    .append(cell(typeText(spec.type()))).append(" | ")
                    .append(cell(defaultText(spec))).append(" | ")
                    .append(spec.tunable() ? "yes" : "no").append(" | ");
            if (methods) {
                List<String> applies = spec.methodList(schema.methods());
                out.append(spec.methods().isEmpty() || spec.name().equals("method")
                        ? "all" : String.join(", ", applies.stream().map(m -> "`" + m + "`").toList())).append(" | ");
            }
            out.append(cell(spec.doc())).append(" |\n");
        }
        for (List<String> pair : schema.conflicts()) {
            out.append("\n`").append(pair.get(0)).append("` and `").append(pair.get(1))
                    .append("` cannot both be given in one statement.\n");
        }
        return out.toString();
    }

    /** The options the planner may choose ({@code auto}), statement by statement. */
    public static String tunableList() {
        StringBuilder out = new StringBuilder();
        for (PassKind kind : PassKind.values()) {
            for (OptionSpec spec : Schemas.pass(kind).options().values()) {
                if (spec.tunable()) {
                    out.append("- `").append(kind.keyword()).append(' ').append(spec.name()).append('`')
                            .append(spec.defaultText().map(d -> " (default `" + d + "`)").orElse("")).append('\n');
                }
            }
        }
        return out.toString();
    }

    /** The budget metrics: what each measures, which way it bounds, and whether {@code baseline} applies. */
    public static String budgetTable() {
        StringBuilder out = new StringBuilder();
        out.append("| Metric | Value | Bound | `baseline` | Meaning |\n");
        out.append("|---|---|---|---|---|\n");
        for (String name : Schemas.BUDGET_ORDER) {
            Schemas.BudgetMetric m = Schemas.BUDGETS.get(name);
            out.append("| `").append(name).append("` | ")
                    .append(m.dimension() == Unit.Dimension.FRACTION ? "a percentage such as `90 %`"
                            : m.dimension().description() + " such as `" + m.dimension().example() + "`")
                    .append(" | ")
                    .append(m.upperBound() ? "upper: `<=` or `<`" : "lower: `>=` or `>`").append(" | ")
                    .append(m.baselineAllowed() ? "yes" : "no").append(" | ")
                    .append(cell(m.doc())).append(" |\n");
        }
        return out.toString();
    }

    /** Every unit with its dimension and its value in the canonical unit of that dimension. */
    public static String unitTable() {
        StringBuilder out = new StringBuilder();
        out.append("| Unit | Measures | Factor | Canonical unit |\n");
        out.append("|---|---|---|---|\n");
        for (Unit u : Unit.values()) {
            out.append("| `").append(u.symbol()).append("` | ").append(u.dimension().description()).append(" | ")
                    .append(u.factor().toPlainString()).append(" | ")
                    .append(canonicalUnit(u.dimension())).append(" |\n");
        }
        return out.toString();
    }

    /** The unit checked values are held in; a switch, so a new dimension cannot go undocumented. */
    static String canonicalUnit(Unit.Dimension dimension) {
        return switch (dimension) {
            case FRACTION -> "fraction (1 = 100 %)";
            case SIZE -> "bytes";
            case BITS -> "bits";
            case TIME -> "seconds";
            case EPOCHS -> "epochs";
            case STEPS -> "steps";
            case BANDWIDTH -> "bytes per second";
            case THROUGHPUT -> "operations per second";
            case FREQUENCY -> "hertz";
        };
    }

    static String typeText(ValueType type) {
        if (type instanceof ValueType.Number n) {
            String bounds = bounds(n);
            String unit = n.dimension().isPresent() && n.dimension().get() != Unit.Dimension.FRACTION
                    ? (n.unitOptional() ? "; a bare number counts in " + canonicalUnit(n.dimension().get()) : "; unit required")
                    : "";
            return n.describe() + ", " + bounds + unit;
        }
        if (type instanceof ValueType.OneOf oneOf) {
            return String.join(", or ", oneOf.alternatives().stream().map(SchemaDocs::typeText).toList());
        }
        if (type instanceof ValueType.Flag) {
            return "`yes` or `no` (also `true`/`false`, `on`/`off`)";
        }
        if (type instanceof ValueType.Text t) {
            return t.describe() + " in double quotes";
        }
        if (type instanceof ValueType.Ratio) {
            return "a ratio `n:m` with 0 < n < m ≤ " + ValueType.Ratio.MAX_GROUP;
        }
        if (type instanceof ValueType.Shape s) {
            return "a " + s.rank() + "-dimensional shape such as `4x4`";
        }
        if (type instanceof ValueType.Group) {
            return "a block `{ ... }` (below)";
        }
        return type.describe();
    }

    private static String bounds(ValueType.Number n) {
        if (n.max() != Double.POSITIVE_INFINITY) {
            return "in " + OptionChecker.bounds(n);
        }
        if (n.min() == Double.NEGATIVE_INFINITY) {
            return "any value";
        }
        if (n.min() == 0) {
            return n.minInclusive() ? "zero or more" : "positive";
        }
        return (n.minInclusive() ? "at least " : "more than ") + ValueType.Number.format(n.min());
    }

    static String defaultText(OptionSpec spec) {
        if (spec.required()) {
            return "required";
        }
        Optional<String> d = spec.defaultText();
        return d.map(text -> "`" + text + "`").orElse("none");
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
