package dev.tamp.compiler.schema;

import dev.tamp.compiler.ast.Value;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.parse.Parsing;
import dev.tamp.compiler.source.SourceFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Defaults are written in the schema as recipe text (what docs show) and turned into settings by the same parser and
 * checker as user input, so a default can never be something a user could not write.
 */
final class DefaultValues {
    /** By identity: specs are constants, and a record's deep hash over its docs would cost more than the lookup saves. */
    private static final Map<OptionSpec, Setting> CACHE = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

    private DefaultValues() {}

    static Setting of(OptionSpec spec) {
        return CACHE.computeIfAbsent(spec, DefaultValues::parse);
    }

    private static Setting parse(OptionSpec spec) {
        String text = "target d { " + spec.name() + " " + spec.defaultText().orElseThrow() + " }";
        List<Diagnostic> problems = new ArrayList<>();
        SourceFile file = SourceFile.of("<default of " + spec.name() + ">", text);
        var parsed = Parsing.parse(file, problems::add);
        if (!parsed.isClean()) {
            throw new IllegalStateException("default of `" + spec.name() + "` does not parse: " + problems);
        }
        var unit = dev.tamp.compiler.parse.AstBuilder.build(file, parsed.tree().get(), problems::add);
        var target = (dev.tamp.compiler.ast.Declaration.Target) unit.declarations().get(0);
        Value value = target.properties().options().get(0).value();
        OptionChecker checker = new OptionChecker(file, problems::add);
        Setting setting;
        try {
            setting = checker.convert(value, spec.type(), spec.tunable(), spec.name());
        } catch (Exception e) {
            throw new IllegalStateException("default of `" + spec.name() + "` is invalid: " + e, e);
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("default of `" + spec.name() + "` is invalid: " + problems);
        }
        return stripOrigin(setting);
    }

    private static Setting stripOrigin(Setting s) {
        Optional<dev.tamp.compiler.source.SourceSpan> none = Optional.empty();
        if (s instanceof Setting.Num n) {
            return new Setting.Num(n.value(), none, n.fraction());
        } else if (s instanceof Setting.Auto a) {
            return new Setting.Auto(a.low(), a.high(), a.choices(), none);
        } else if (s instanceof Setting.Word w) {
            return new Setting.Word(w.word(), none);
        } else if (s instanceof Setting.Flag f) {
            return new Setting.Flag(f.value(), none);
        } else if (s instanceof Setting.Text t) {
            return new Setting.Text(t.text(), none);
        } else if (s instanceof Setting.Ratio r) {
            return new Setting.Ratio(r.n(), r.m(), none);
        } else if (s instanceof Setting.Shape sh) {
            return new Setting.Shape(sh.dims(), none);
        }
        throw new IllegalStateException("no defaults of kind " + s);
    }
}
