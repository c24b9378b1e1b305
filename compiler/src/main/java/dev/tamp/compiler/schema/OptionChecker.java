package dev.tamp.compiler.schema;

import dev.tamp.compiler.ast.Option;
import dev.tamp.compiler.ast.OptionBlock;
import dev.tamp.compiler.ast.Quantity;
import dev.tamp.compiler.ast.Unit;
import dev.tamp.compiler.ast.Value;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.diag.Note;
import dev.tamp.compiler.diag.Suggestions;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.compiler.source.SourceFile;
import dev.tamp.compiler.source.SourceSpan;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;

/**
 * Checks an option block against its schema and resolves it: names known and not repeated, values of the right form,
 * unit and range, options that apply to the chosen method, no conflicts, required options present, then defaults
 * filled in. Reports every problem it finds and keeps going.
 */
public final class OptionChecker {
    private final SourceFile file;
    private final Consumer<Diagnostic> report;

    public OptionChecker(SourceFile file, Consumer<Diagnostic> report) {
        this.file = file;
        this.report = report;
    }

    /**
     * Checks a block (absent: all defaults) for the statement {@code what} (such as "prune"), whose own span is
     * {@code statementSpan}.
     */
    public Settings check(Optional<OptionBlock> block, OptionSchema schema, String what, SourceSpan statementSpan) {
        List<Option> given = block.map(OptionBlock::options).orElse(List.of());
        Map<String, Option> byName = new LinkedHashMap<>();
        for (Option option : given) {
            String name = option.key().text();
            Optional<OptionSpec> spec = schema.option(name);
            if (spec.isEmpty()) {
                unknownOption(option, schema, what);
                continue;
            }
            Option first = byName.putIfAbsent(name, option);
            if (first != null) {
                report.accept(Diagnostic.of(DiagnosticCode.DUPLICATE_OPTION, file, option.key().span(),
                                "option `" + name + "` is given twice in `" + what + "`")
                        .withNote(Note.at(file, first.key().span(), "first given here"))
                        .withHint("remove one of them"));
            }
        }

        Map<String, Setting> values = new LinkedHashMap<>();
        Optional<String> method = Optional.empty();
        if (!schema.methods().isEmpty()) {
            Option m = byName.get("method");
            if (m != null) {
                method = convert(m, schema.option("method").orElseThrow()).map(s -> ((Setting.Word) s).word());
                method.ifPresent(word -> values.put("method", new Setting.Word(word, Optional.of(m.value().span()))));
            } else {
                method = schema.option("method").orElseThrow().defaultText();
            }
        }

        for (Option option : byName.values()) {
            String name = option.key().text();
            if (name.equals("method") && !schema.methods().isEmpty()) {
                continue;
            }
            OptionSpec spec = schema.option(name).orElseThrow();
            if (method.isPresent() && !spec.appliesTo(method.get())) {
                String applies = String.join(", ", spec.methodList(schema.methods()).stream().map(x -> "`" + x + "`").toList());
                report.accept(Diagnostic.of(DiagnosticCode.OPTION_NOT_APPLICABLE, file, option.key().span(),
                                "option `" + name + "` does not apply to " + what + " method `" + method.get() + "`")
                        .withNote(Note.of("`" + name + "` applies to " + applies))
                        .withHint("remove it, or choose one of those methods"));
                continue;
            }
            convert(option, spec).ifPresent(setting -> values.put(name, setting));
        }

        for (List<String> pair : schema.conflicts()) {
            Option a = byName.get(pair.get(0));
            Option b = byName.get(pair.get(1));
            if (a != null && b != null) {
                Option later = a.span().startOffset() > b.span().startOffset() ? a : b;
                Option earlier = later == a ? b : a;
                report.accept(Diagnostic.of(DiagnosticCode.CONFLICTING_OPTIONS, file, later.key().span(),
                                "options `" + earlier.key().text() + "` and `" + later.key().text()
                                        + "` cannot both be given in `" + what + "`")
                        .withNote(Note.at(file, earlier.key().span(), "`" + earlier.key().text() + "` is given here"))
                        .withHint("keep one: each decides the same thing"));
            }
        }

        for (OptionSpec spec : schema.options().values()) {
            if (!byName.containsKey(spec.name()) && (method.isEmpty() || spec.appliesTo(method.get()))
                    && !partnerGiven(schema, spec.name(), byName.keySet())) {
                if (spec.required()) {
                    report.accept(Diagnostic.of(DiagnosticCode.MISSING_OPTION, file, statementSpan,
                                    "`" + what + "` needs option `" + spec.name() + "`")
                            .withHint("add `" + spec.name() + " ...`: " + spec.type().describe()));
                } else if (spec.defaultText().isPresent() && !values.containsKey(spec.name())) {
                    values.put(spec.name(), DefaultValues.of(spec));
                }
            }
        }
        return new Settings(values);
    }

    /**
     * Merges the settings of several statements of one family that apply to the same layer, in source order: a later
     * statement's explicit options override earlier ones option by option; choosing another method drops earlier
     * options that do not apply to it; an option overrides the earlier one it conflicts with (`rank` and `energy`);
     * defaults fill the rest.
     */
    public static Settings merge(OptionSchema schema, List<Settings> inSourceOrder) {
        Map<String, Setting> explicit = new LinkedHashMap<>();
        for (Settings settings : inSourceOrder) {
            for (Map.Entry<String, Setting> e : settings.values().entrySet()) {
                if (e.getValue().origin().isEmpty()) {
                    continue;
                }
                for (List<String> pair : schema.conflicts()) {
                    if (pair.contains(e.getKey())) {
                        pair.forEach(other -> {
                            if (!other.equals(e.getKey())) {
                                explicit.remove(other);
                            }
                        });
                    }
                }
                explicit.put(e.getKey(), e.getValue());
            }
        }
        Optional<String> method = schema.methods().isEmpty() ? Optional.empty()
                : Optional.of(explicit.containsKey("method") ? ((Setting.Word) explicit.get("method")).word()
                        : schema.option("method").orElseThrow().defaultText().orElseThrow());
        Map<String, Setting> merged = new LinkedHashMap<>();
        for (OptionSpec spec : schema.options().values()) {
            if (method.isPresent() && !spec.appliesTo(method.get())) {
                continue;
            }
            Setting given = explicit.get(spec.name());
            if (given != null) {
                merged.put(spec.name(), given);
            } else if (spec.defaultText().isPresent() && !partnerGiven(schema, spec.name(), explicit.keySet())) {
                merged.put(spec.name(), DefaultValues.of(spec));
            }
        }
        return new Settings(merged);
    }

    /** Whether an option's conflict partner is given, which replaces the option's default (`energy` for `rank`). */
    private static boolean partnerGiven(OptionSchema schema, String option, java.util.Set<String> given) {
        for (List<String> pair : schema.conflicts()) {
            if (pair.contains(option) && pair.stream().anyMatch(o -> !o.equals(option) && given.contains(o))) {
                return true;
            }
        }
        return false;
    }

    private void unknownOption(Option option, OptionSchema schema, String what) {
        String name = option.key().text();
        Diagnostic d = Diagnostic.of(DiagnosticCode.UNKNOWN_OPTION, file, option.key().span(),
                "unknown option `" + name + "` for `" + what + "`");
        Optional<String> close = Suggestions.closest(name, schema.options().keySet());
        if (close.isPresent()) {
            d = d.withHint("did you mean `" + close.get() + "`?");
        } else if (schema.methods().contains(name)) {
            d = d.withHint("`" + name + "` is a method: write `method " + name + "`");
        }
        report.accept(d.withNote(Note.of("options of `" + what + "`: " + Suggestions.quotedList(schema.options().keySet(), 20))));
    }

    private Optional<Setting> convert(Option option, OptionSpec spec) {
        try {
            return Optional.of(convert(option.value(), spec.type(), spec.tunable(), option.key().text()));
        } catch (Reject r) {
            report.accept(r.diagnostic);
            return Optional.empty();
        }
    }

    /** A value that does not fit; carries the diagnostic so alternatives of a {@link ValueType.OneOf} can be tried. */
    private static final class Reject extends Exception {
        private final transient Diagnostic diagnostic;

        Reject(Diagnostic diagnostic) {
            super(null, null, false, false);
            this.diagnostic = diagnostic;
        }
    }

    private Reject reject(DiagnosticCode code, SourceSpan span, String message, String hint) {
        Diagnostic d = Diagnostic.of(code, file, span, message);
        return new Reject(hint == null ? d : d.withHint(hint));
    }

    Setting convert(Value value, ValueType type, boolean tunable, String name) throws Reject {
        Optional<SourceSpan> origin = Optional.of(value.span());
        if (value instanceof Value.Auto auto) {
            if (!tunable) {
                throw reject(DiagnosticCode.AUTO_NOT_ALLOWED, value.span(), "option `" + name + "` cannot be `auto`",
                        "give a value: " + type.describe());
            }
            return convertAuto(auto, numberType(type, value, name), name);
        }
        if (type instanceof ValueType.OneOf oneOf) {
            // Try the alternatives whose form fits (a word, a number, ...); one failure explains itself, several
            // failures mean the value fits none of them.
            List<Reject> failures = new ArrayList<>();
            for (ValueType alternative : oneOf.alternatives()) {
                if (!formMatches(value, alternative)) {
                    continue;
                }
                try {
                    return convert(value, alternative, tunable, name);
                } catch (Reject r) {
                    failures.add(r);
                }
            }
            if (failures.size() == 1) {
                throw failures.get(0);
            }
            throw reject(failures.isEmpty() ? DiagnosticCode.WRONG_VALUE_TYPE : DiagnosticCode.VALUE_OUT_OF_RANGE,
                    value.span(), "option `" + name + "` takes " + type.describe() + ", found " + value.describe()
                            + (value instanceof Value.Number n ? " `" + n.quantity().text() + "`" : ""), null);
        }
        if (type instanceof ValueType.Number number) {
            return new Setting.Num(number(value, number, name), origin,
                    number.dimension().equals(Optional.of(Unit.Dimension.FRACTION)));
        }
        if (type instanceof ValueType.Choice choice) {
            if (value instanceof Value.Word w && choice.words().contains(w.word())) {
                return new Setting.Word(w.word(), origin);
            }
            if (value instanceof Value.Word w) {
                Diagnostic d = Diagnostic.of(DiagnosticCode.UNKNOWN_WORD, file, value.span(),
                        "unknown " + (name.equals("method") ? "method" : "value") + " `" + w.word()
                                + "` for `" + name + "`");
                Optional<String> close = Suggestions.closest(w.word(), choice.words());
                d = d.withNote(Note.of("`" + name + "` takes " + choice.describe()));
                throw new Reject(close.map(c -> "did you mean `" + c + "`?").map(d::withHint).orElse(d));
            }
            throw wrongType(value, type, name);
        }
        if (type instanceof ValueType.Flag) {
            if (value instanceof Value.Word w && ValueType.Flag.TRUE.contains(w.word())) {
                return new Setting.Flag(true, origin);
            }
            if (value instanceof Value.Word w && ValueType.Flag.FALSE.contains(w.word())) {
                return new Setting.Flag(false, origin);
            }
            throw wrongType(value, type, name);
        }
        if (type instanceof ValueType.Text text) {
            if (!(value instanceof Value.Text t)) {
                String hint = value instanceof Value.Word w ? "write it in double quotes: \"" + w.word() + "\"" : null;
                throw reject(DiagnosticCode.WRONG_VALUE_TYPE, value.span(),
                        "option `" + name + "` takes " + type.describe() + ", found " + value.describe(), hint);
            }
            Optional<String> problem = text.validator().apply(t.value());
            if (problem.isPresent()) {
                throw reject(text.code(), value.span(), problem.get(), null);
            }
            return new Setting.Text(t.value(), origin);
        }
        if (type instanceof ValueType.Ratio) {
            if (!(value instanceof Value.Ratio r)) {
                throw wrongType(value, type, name);
            }
            if (r.left() >= r.right() || r.right() > ValueType.Ratio.MAX_GROUP) {
                throw reject(DiagnosticCode.VALUE_OUT_OF_RANGE, value.span(),
                        "ratio " + r.left() + ":" + r.right() + " must keep fewer weights than its group (n < m ≤ "
                                + ValueType.Ratio.MAX_GROUP + ")",
                        "N:M sparsity keeps N of every M weights, as in `2:4`");
            }
            return new Setting.Ratio(r.left(), r.right(), origin);
        }
        if (type instanceof ValueType.Shape shape) {
            if (!(value instanceof Value.Shape s)) {
                throw wrongType(value, type, name);
            }
            if (s.dims().size() != shape.rank()) {
                throw reject(DiagnosticCode.WRONG_VALUE_TYPE, value.span(),
                        "option `" + name + "` takes a " + shape.rank() + "-dimensional shape, found "
                                + s.dims().size() + " dimensions", null);
            }
            return new Setting.Shape(s.dims(), origin);
        }
        ValueType.Group group = (ValueType.Group) type;
        if (!(value instanceof Value.Block b)) {
            throw wrongType(value, type, name);
        }
        Settings nested = check(Optional.of(b.block()), group.schema(), name, value.span());
        return new Setting.Group(nested.values(), origin);
    }

    private static boolean formMatches(Value value, ValueType type) {
        if (type instanceof ValueType.Number) {
            return value instanceof Value.Number || value instanceof Value.Fraction;
        } else if (type instanceof ValueType.Choice || type instanceof ValueType.Flag) {
            return value instanceof Value.Word;
        } else if (type instanceof ValueType.Text) {
            return value instanceof Value.Text;
        } else if (type instanceof ValueType.Ratio) {
            return value instanceof Value.Ratio;
        } else if (type instanceof ValueType.Shape) {
            return value instanceof Value.Shape;
        } else if (type instanceof ValueType.Group) {
            return value instanceof Value.Block;
        }
        return ((ValueType.OneOf) type).alternatives().stream().anyMatch(a -> formMatches(value, a));
    }

    private Reject wrongType(Value value, ValueType type, String name) {
        String hint = null;
        if (value instanceof Value.Range) {
            hint = "a range is for the planner: write `auto in " + "low .. high" + "`";
        } else if (value instanceof Value.Text t && type instanceof ValueType.Choice) {
            hint = "write the word without quotes: " + t.value();
        }
        return reject(DiagnosticCode.WRONG_VALUE_TYPE, value.span(),
                "option `" + name + "` takes " + type.describe() + ", found " + value.describe(), hint);
    }

    private ValueType.Number numberType(ValueType type, Value value, String name) throws Reject {
        if (type instanceof ValueType.Number n) {
            return n;
        }
        if (type instanceof ValueType.OneOf oneOf) {
            Value.Auto auto = (Value.Auto) value;
            List<Quantity> probes = new ArrayList<>(auto.choices());
            auto.range().ifPresent(r -> probes.add(r.low()));
            for (ValueType alternative : oneOf.alternatives()) {
                if (alternative instanceof ValueType.Number n
                        && (probes.isEmpty() || probes.stream().allMatch(q -> fits(q, n)))) {
                    return n;
                }
            }
        }
        throw reject(DiagnosticCode.AUTO_NOT_ALLOWED, value.span(), "option `" + name + "` cannot be `auto`", null);
    }

    private boolean fits(Quantity q, ValueType.Number n) {
        try {
            number(q, n, "");
            return true;
        } catch (Reject r) {
            return false;
        }
    }

    private Setting convertAuto(Value.Auto auto, ValueType.Number type, String name) throws Reject {
        Optional<SourceSpan> origin = Optional.of(auto.span());
        if (auto.range().isPresent()) {
            Value.Range range = auto.range().get();
            double low = number(range.low(), type, name);
            double high = number(range.high(), type, name);
            if (low > high) {
                throw reject(DiagnosticCode.EMPTY_RANGE, range.span(),
                        "range " + range.low().text() + " .. " + range.high().text() + " is empty: its start exceeds its end",
                        "write the smaller bound first");
            }
            return new Setting.Auto(OptionalDouble.of(low), OptionalDouble.of(high), List.of(), origin);
        }
        List<Double> choices = new ArrayList<>();
        for (Quantity q : auto.choices()) {
            double v = number(q, type, name);
            if (choices.contains(v)) {
                throw reject(DiagnosticCode.DUPLICATE_OPTION, q.span(), "choice " + q.text() + " is listed twice", null);
            }
            choices.add(v);
        }
        return new Setting.Auto(OptionalDouble.empty(), OptionalDouble.empty(), choices, origin);
    }

    private double number(Value value, ValueType.Number type, String name) throws Reject {
        if (value instanceof Value.Number n) {
            return number(n.quantity(), type, name);
        }
        if (value instanceof Value.Fraction f) {
            if (type.dimension().isPresent() && type.dimension().get() != Unit.Dimension.FRACTION) {
                throw wrongType(value, type, name);
            }
            if (f.denominator().signum() == 0) {
                throw reject(DiagnosticCode.VALUE_OUT_OF_RANGE, value.span(), "division by zero", null);
            }
            double v = f.numerator().doubleValue() / f.denominator().doubleValue();
            if (type.integer() && v != Math.rint(v)) {
                throw reject(DiagnosticCode.WRONG_VALUE_TYPE, value.span(),
                        "option `" + name + "` takes a whole number, found `" + file.slice(value.span()) + "`", null);
            }
            return checkBounds(v, type, name, value.span(), value.span());
        }
        throw wrongType(value, type, name);
    }

    private double number(Quantity q, ValueType.Number type, String name) throws Reject {
        if (q.unit().isPresent()) {
            Unit unit = q.unit().get();
            if (type.dimension().isEmpty() || type.dimension().get() != unit.dimension()) {
                String expected = type.dimension().map(d -> d.description() + " such as `" + d.example() + "`")
                        .orElse(type.integer() ? "a whole number without a unit" : "a number without a unit");
                throw reject(DiagnosticCode.WRONG_UNIT, q.span(),
                        "option `" + name + "` takes " + expected + ", found " + unit.dimension().description()
                                + " (`" + q.text() + "`)", null);
            }
        } else if (type.dimension().isPresent() && !type.unitOptional()) {
            Unit.Dimension d = type.dimension().get();
            throw reject(DiagnosticCode.WRONG_UNIT, q.span(), "`" + q.text() + "` needs a unit: option `" + name
                    + "` takes " + d.description() + " such as `" + d.example() + "`", null);
        }
        BigDecimal canonical = q.canonical();
        if (type.integer() && canonical.signum() != 0 && canonical.stripTrailingZeros().scale() > 0) {
            throw reject(DiagnosticCode.WRONG_VALUE_TYPE, q.span(),
                    "option `" + name + "` takes a whole number, found `" + q.text() + "`", null);
        }
        return checkBounds(canonical.doubleValue(), type, name, q.span(), q.span());
    }

    private double checkBounds(double v, ValueType.Number type, String name, SourceSpan span, SourceSpan at) throws Reject {
        boolean low = type.minInclusive() ? v >= type.min() : v > type.min();
        boolean high = type.maxInclusive() ? v <= type.max() : v < type.max();
        if (low && high && Double.isFinite(v)) {
            return v;
        }
        boolean fraction = type.dimension().equals(Optional.of(Unit.Dimension.FRACTION));
        String hint = null;
        if (fraction && v > 1 && v <= 100) {
            hint = "for a percentage write `" + ValueType.Number.format(v) + " %`";
        }
        throw reject(DiagnosticCode.VALUE_OUT_OF_RANGE, at, "option `" + name + "` must be in "
                + bounds(type) + ", found " + display(v, type), hint);
    }

    static String bounds(ValueType.Number type) {
        boolean fraction = type.dimension().equals(Optional.of(Unit.Dimension.FRACTION));
        if (!fraction) {
            return type.boundsText();
        }
        return (type.minInclusive() ? "[" : "(") + ValueType.Number.format(type.min() * 100) + " %, "
                + ValueType.Number.format(type.max() * 100) + " %" + (type.maxInclusive() ? "]" : ")");
    }

    private static String display(double v, ValueType.Number type) {
        if (type.dimension().equals(Optional.of(Unit.Dimension.FRACTION)) && v >= 0 && v <= 1) {
            return ValueType.Number.format(v * 100) + " %";
        }
        return ValueType.Number.format(v);
    }
}
