package dev.tamp.optimizer.lock;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.compiler.schema.OptionSchema;
import dev.tamp.compiler.schema.OptionSpec;
import dev.tamp.compiler.schema.Schemas;
import dev.tamp.compiler.schema.ValueType;
import dev.tamp.compiler.source.SourceFile;
import dev.tamp.compiler.source.SourceSpan;
import dev.tamp.optimizer.pass.CorePasses;
import dev.tamp.optimizer.pass.PassInfo;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads a lock file (docs/lock.md) strictly: the header lines in order, the inputs, the pipeline block, each pass
 * known, each option one its statement declares with a value of its type and range, every option the pass reads
 * present. The first problem is reported as {@code E5001} at its line and column; a lock with a problem is not
 * replayed at all.
 */
public final class LockParser {
    private static final String HINT = "the lock file is damaged: write it again with `tamp compile RECIPE` "
            + "(or `tamp plan RECIPE`)";

    private final SourceFile source;
    private final int[] text;
    private int pos;
    private int lineEnd;

    private LockParser(SourceFile source) {
        this.source = source;
        this.text = source.text().codePoints().toArray();
    }

    /** A problem at [start, end) of the text. */
    private static final class Malformed extends RuntimeException {
        final int start;
        final int end;

        Malformed(int start, int end, String message) {
            super(message, null, false, false);
            this.start = start;
            this.end = end;
        }
    }

    /** The lock in {@code source}, or empty with its first problem reported. */
    public static Optional<LockFile> parse(SourceFile source, Consumer<Diagnostic> report) {
        LockParser p = new LockParser(source);
        try {
            return Optional.of(p.file());
        } catch (Malformed e) {
            report.accept(Diagnostic.of(DiagnosticCode.LOCK_MALFORMED, source, source.span(e.start, e.end),
                    e.getMessage()).withHint(HINT));
            return Optional.empty();
        }
    }

    // ---- lines ---------------------------------------------------------------------------------------------------

    /** Moves to the next line that is neither blank nor a comment; false at the end of the text. */
    private boolean nextLine() {
        while (pos < text.length) {
            int start = pos;
            int end = start;
            while (end < text.length && text[end] != '\n') {
                end++;
            }
            int first = start;
            while (first < end && (text[first] == ' ' || text[first] == '\t' || text[first] == '\r')) {
                first++;
            }
            if (first == end || text[first] == '#') {
                pos = Math.min(text.length, end + 1);
                continue;
            }
            pos = first;
            lineEnd = end > start && text[end - 1] == '\r' ? end - 1 : end;
            return true;
        }
        return false;
    }

    /** Past the current line: only spaces may be left on it. */
    private void endOfLine() {
        spaces();
        if (pos < lineEnd) {
            throw new Malformed(pos, lineEnd, "unexpected `" + new String(text, pos, lineEnd - pos)
                    + "` at the end of the line");
        }
        pos = Math.min(text.length, lineEnd + 1);
    }

    private void expectLine(String what) {
        if (!nextLine()) {
            throw new Malformed(text.length, text.length, "the lock file ends early: expected " + what);
        }
    }

    private void spaces() {
        while (pos < lineEnd && (text[pos] == ' ' || text[pos] == '\t')) {
            pos++;
        }
    }

    private boolean at(char c) {
        return pos < lineEnd && text[pos] == c;
    }

    private void expect(char c, String what) {
        if (!at(c)) {
            throw unexpected(what);
        }
        pos++;
    }

    private Malformed unexpected(String expected) {
        if (pos >= lineEnd) {
            return new Malformed(pos, pos, "expected " + expected + " before the end of the line");
        }
        int end = pos;
        while (end < lineEnd && text[end] != ' ' && text[end] != '}' && end - pos < 40) {
            end++;
        }
        return new Malformed(pos, Math.max(end, pos + 1), "expected " + expected + ", found `"
                + new String(text, pos, Math.max(end, pos + 1) - pos) + "`");
    }

    private String word(String what) {
        int start = pos;
        while (pos < lineEnd && (Character.isLetterOrDigit(text[pos]) && text[pos] < 128 || text[pos] == '-'
                || text[pos] == '_')) {
            pos++;
        }
        if (pos == start) {
            throw unexpected(what);
        }
        return new String(text, start, pos - start);
    }

    private void keyword(String keyword) {
        int start = pos;
        String w = pos < lineEnd && Character.isLetter(text[pos]) ? word("`" + keyword + "`") : "";
        if (!w.equals(keyword)) {
            pos = start;
            throw unexpected("`" + keyword + "`");
        }
    }

    private String string(String what) {
        if (!at('"')) {
            throw unexpected(what);
        }
        int start = pos++;
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= lineEnd) {
                throw new Malformed(start, lineEnd, "unterminated string");
            }
            int c = text[pos++];
            if (c == '"') {
                return b.toString();
            }
            if (c == '\\') {
                if (pos >= lineEnd) {
                    throw new Malformed(start, lineEnd, "unterminated string");
                }
                int e = text[pos++];
                if (e == '"' || e == '\\') {
                    b.appendCodePoint(e);
                } else if (e == 'u' && pos + 4 <= lineEnd && isHex(pos, 4)) {
                    b.append((char) Integer.parseInt(new String(text, pos, 4), 16));
                    pos += 4;
                } else {
                    throw new Malformed(pos - 2, pos, "invalid escape in a string (`\\\"`, `\\\\` and `\\uXXXX` are)");
                }
            } else {
                b.appendCodePoint(c);
            }
        }
    }

    private boolean isHex(int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (Character.digit(text[i], 16) < 0 || text[i] >= 128) {
                return false;
            }
        }
        return true;
    }

    /** A decimal number (an optional sign, digits, an optional fraction and exponent) as written. */
    private BigDecimal number(String what) {
        int start = pos;
        if (at('-')) {
            pos++;
        }
        int digits = pos;
        while (pos < lineEnd && isDigit(text[pos])) {
            pos++;
        }
        if (pos == digits) {
            pos = start;
            throw unexpected(what);
        }
        if (at('.') && pos + 1 < lineEnd && isDigit(text[pos + 1])) {
            pos++;
            while (pos < lineEnd && isDigit(text[pos])) {
                pos++;
            }
        }
        if ((at('e') || at('E')) && pos + 1 < lineEnd && (isDigit(text[pos + 1])
                || (text[pos + 1] == '-' || text[pos + 1] == '+') && pos + 2 < lineEnd && isDigit(text[pos + 2]))) {
            pos += 2;
            while (pos < lineEnd && isDigit(text[pos])) {
                pos++;
            }
        }
        try {
            return new BigDecimal(new String(text, start, pos - start));
        } catch (NumberFormatException e) {
            throw new Malformed(start, pos, "not a number");
        }
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    // ---- the file ------------------------------------------------------------------------------------------------

    private LockFile file() {
        expectLine("`tamp-lock " + LockFile.FORMAT + "`");
        keyword("tamp-lock");
        spaces();
        int at = pos;
        BigDecimal format = number("the lock format version");
        if (format.compareTo(BigDecimal.valueOf(LockFile.FORMAT)) != 0) {
            throw new Malformed(at, pos, "lock format " + format.toPlainString() + " is not the format this tamp "
                    + "reads (" + LockFile.FORMAT + ")");
        }
        endOfLine();

        expectLine("`tamp \"VERSION\"`");
        int toolStart = pos;
        keyword("tamp");
        spaces();
        String tool = string("the tamp version in quotes");
        SourceSpan toolSpan = source.span(toolStart, pos);
        endOfLine();

        expectLine("`seed N`");
        int seedStart = pos;
        keyword("seed");
        spaces();
        at = pos;
        BigDecimal seed = number("the seed");
        long seedValue;
        try {
            seedValue = seed.longValueExact();
        } catch (ArithmeticException e) {
            throw new Malformed(at, pos, "the seed is not a whole number");
        }
        SourceSpan seedSpan = source.span(seedStart, pos);
        endOfLine();

        List<LockFile.Input> inputs = new ArrayList<>();
        Set<String> single = new HashSet<>();
        while (true) {
            expectLine("an input (`recipe`, `model`, `data`, `target`, `teacher`) or `pipeline {`");
            int lineStart = pos;
            String w = word("an input or `pipeline {`");
            if (w.equals("pipeline")) {
                spaces();
                expect('{', "`{`");
                endOfLine();
                break;
            }
            if (!LockFile.ROLES.contains(w)) {
                throw new Malformed(lineStart, pos, "unknown line `" + w + "`: expected `recipe`, `model`, `data`, "
                        + "`target`, `teacher` or `pipeline {`");
            }
            if (!w.equals("data") && !single.add(w)) {
                throw new Malformed(lineStart, pos, "`" + w + "` given twice");
            }
            spaces();
            String path = string("the input's path in quotes");
            spaces();
            int hashStart = pos;
            while (pos < lineEnd && text[pos] != ' ' && text[pos] != '\t') {
                pos++;
            }
            String hash = new String(text, hashStart, pos - hashStart);
            if (!hash.startsWith("sha256:") || hash.length() != 7 + 64
                    || !hash.substring(7).chars().allMatch(c -> isDigit(c) || c >= 'a' && c <= 'f')) {
                throw new Malformed(hashStart, Math.max(pos, hashStart + 1), "expected `sha256:` and 64 lower-case "
                        + "hexadecimal digits");
            }
            SourceSpan span = source.span(hashStart, pos);
            endOfLine();
            inputs.add(new LockFile.Input(w, path, hash.substring(7), Optional.of(span)));
        }
        for (String role : List.of("recipe", "model")) {
            if (!single.contains(role)) {
                throw new Malformed(pos, pos, "the lock has no `" + role + "` line before `pipeline {`");
            }
        }

        List<LockFile.Step> steps = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (true) {
            expectLine("a pass such as `prune-magnitude{...}`, or `}` closing the pipeline");
            if (at('}')) {
                pos++;
                endOfLine();
                break;
            }
            LockFile.Step step = step();
            String key = step.family() + " " + step.layer().orElse("");
            if (!seen.add(key)) {
                SourceSpan s = step.layerSpan().orElse(step.span().orElseThrow());
                throw new Malformed(s.startOffset(), s.endOffset(), step.layer().map(l -> "layer " + LockFile.quote(l)
                        + " has a second `" + step.family().keyword() + "` pass").orElse("`" + step.pass()
                        + "` given twice"));
            }
            steps.add(step);
        }
        if (nextLine()) {
            throw new Malformed(pos, lineEnd, "unexpected text after the pipeline");
        }
        return new LockFile(LockFile.FORMAT, tool, seedValue, inputs, steps, Map.of("tamp", toolSpan, "seed",
                seedSpan));
    }

    /** {@code name{layer="..." option=value ...}}. */
    private LockFile.Step step() {
        int start = pos;
        String name = word("a pass name");
        int nameEnd = pos;
        Optional<PassInfo> info = CorePasses.named(name).map(p -> p.info());
        PassKind family;
        String method;
        if (info.isPresent()) {
            family = info.get().family();
            method = info.get().method();
        } else if (List.of("regularize", "finetune", "distill").contains(name)) {
            family = PassKind.ofKeyword(name);
            method = "";
        } else {
            throw new Malformed(start, nameEnd, "unknown pass `" + name + "`");
        }
        boolean perLayer = !LockFile.WHOLE_MODEL.contains(family);
        expect('{', "`{` after the pass name");
        Optional<String> layer = Optional.empty();
        Optional<SourceSpan> layerSpan = Optional.empty();
        Map<String, Setting> values = new LinkedHashMap<>();
        Map<String, int[]> where = new LinkedHashMap<>();
        OptionSchema schema = Schemas.pass(family);
        while (true) {
            spaces();
            if (at('}')) {
                pos++;
                break;
            }
            int optionStart = pos;
            String option = word("an option name or `}`");
            int optionEnd = pos;
            expect('=', "`=` after `" + option + "`");
            int valueStart = pos;
            if (option.equals("layer") && perLayer) {
                if (layer.isPresent()) {
                    throw new Malformed(optionStart, optionEnd, "`layer` given twice");
                }
                layer = Optional.of(string("the layer's name in quotes"));
                layerSpan = Optional.of(source.span(valueStart, pos));
            } else {
                Optional<OptionSpec> spec = schema.option(option);
                if (spec.isEmpty()) {
                    throw new Malformed(optionStart, optionEnd, "unknown option `" + option + "` for `" + name + "`");
                }
                if (values.containsKey(option)) {
                    throw new Malformed(optionStart, optionEnd, "option `" + option + "` given twice");
                }
                Setting v = value();
                checkValue(spec.get(), v, valueStart);
                values.put(option, v);
                where.put(option, new int[] {optionStart, pos});
            }
            if (!at(' ') && !at('\t') && !at('}')) {
                throw unexpected("a space or `}` after a value");
            }
        }
        int end = pos;
        endOfLine();
        if (perLayer && layer.isEmpty()) {
            throw new Malformed(start, nameEnd, "`" + name + "` names no layer (`layer=\"...\"`)");
        }
        // The method: the pass's own, which an explicit `method` must repeat.
        if (values.get("method") instanceof Setting.Word w) {
            if (!method.isEmpty() && !w.word().equals(method)) {
                int[] at = where.get("method");
                throw new Malformed(at[0], at[1], "`method=" + w.word() + "` contradicts the pass `" + name + "`");
            }
            method = w.word();
        } else if (method.isEmpty() && !schema.methods().isEmpty()) {
            method = schema.option("method").orElseThrow().defaultText().orElseThrow();
        }
        for (OptionSpec spec : schema.options().values()) {
            boolean applies = schema.methods().isEmpty() || spec.appliesTo(method);
            int[] at = where.get(spec.name());
            if (!applies && at != null) {
                throw new Malformed(at[0], at[1], "option `" + spec.name() + "` does not apply to `" + name + "`");
            }
            boolean partner = schema.conflicts().stream().anyMatch(pair -> pair.contains(spec.name())
                    && pair.stream().anyMatch(o -> !o.equals(spec.name()) && values.containsKey(o)));
            if (applies && at == null && !partner && (spec.required() || spec.defaultText().isPresent())) {
                throw new Malformed(start, nameEnd, "`" + name + "` lacks option `" + spec.name()
                        + "` (a lock states every option)");
            }
        }
        return new LockFile.Step(name, family, layer, new Settings(values), Optional.of(source.span(start, end)),
                layerSpan);
    }

    /** One value; see {@link LockFile#value}. */
    private Setting value() {
        int start = pos;
        if (at('"')) {
            return new Setting.Text(string("a value"), Optional.empty());
        }
        if (at('{')) {
            pos++;
            Map<String, Setting> group = new LinkedHashMap<>();
            while (true) {
                spaces();
                if (at('}')) {
                    pos++;
                    return new Setting.Group(group, Optional.empty());
                }
                String k = word("an option name or `}`");
                expect('=', "`=`");
                group.put(k, value());
            }
        }
        if (at('-') || pos < lineEnd && isDigit(text[pos])) {
            BigDecimal n = number("a value");
            if (at('%')) {
                pos++;
                return new Setting.Num(n.movePointLeft(2).doubleValue(), Optional.empty(), true);
            }
            if ((at(':') || at('x')) && n.scale() <= 0 && n.signum() >= 0) {
                char sep = (char) text[pos];
                List<Integer> parts = new ArrayList<>(List.of(intValue(n, start)));
                while (at(sep)) {
                    pos++;
                    int partStart = pos;
                    parts.add(intValue(number("a whole number"), partStart));
                    if (sep == ':') {
                        break;
                    }
                }
                return sep == ':' ? new Setting.Ratio(parts.get(0), parts.get(1), Optional.empty())
                        : new Setting.Shape(parts, Optional.empty());
            }
            return new Setting.Num(n.doubleValue(), Optional.empty(), false);
        }
        String w = word("a value");
        switch (w) {
            case "true", "false" -> {
                return new Setting.Flag(w.equals("true"), Optional.empty());
            }
            case "auto" -> {
                return auto();
            }
            default -> {
                if (!w.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*")) {
                    throw new Malformed(start, pos, "`" + w + "` is not a value");
                }
                return new Setting.Word(w, Optional.empty());
            }
        }
    }

    private int intValue(BigDecimal n, int start) {
        try {
            return n.intValueExact();
        } catch (ArithmeticException e) {
            throw new Malformed(start, pos, "not a whole number of at most 2^31 - 1");
        }
    }

    /** After {@code auto}: nothing, {@code [a,b,...]} or {@code (lo..hi)} with either end optional. */
    private Setting auto() {
        List<Double> choices = new ArrayList<>();
        OptionalDouble low = OptionalDouble.empty();
        OptionalDouble high = OptionalDouble.empty();
        if (at('[')) {
            pos++;
            do {
                choices.add(number("a number").doubleValue());
            } while (at(',') && pos++ >= 0);
            expect(']', "`,` or `]`");
        } else if (at('(')) {
            pos++;
            if (!at('.')) {
                low = OptionalDouble.of(number("a number or `..`").doubleValue());
            }
            expect('.', "`..`");
            expect('.', "`..`");
            if (!at(')')) {
                high = OptionalDouble.of(number("a number or `)`").doubleValue());
            }
            expect(')', "`)`");
        }
        return new Setting.Auto(low, high, choices, Optional.empty());
    }

    /** Refuses a value its option does not take, as the recipe checker would have. */
    private void checkValue(OptionSpec spec, Setting v, int start) {
        if (v instanceof Setting.Auto) {
            if (!spec.tunable()) {
                throw new Malformed(start, pos, "option `" + spec.name() + "` cannot be auto");
            }
            return;
        }
        Optional<String> problem = problem(spec.type(), v);
        if (problem.isPresent()) {
            throw new Malformed(start, pos, "`" + spec.name() + "` " + problem.get());
        }
    }

    private static Optional<String> problem(ValueType type, Setting v) {
        if (type instanceof ValueType.Number n) {
            if (!(v instanceof Setting.Num num)) {
                return Optional.of("takes " + n.describe());
            }
            double x = num.value();
            boolean above = n.minInclusive() ? x >= n.min() : x > n.min();
            boolean below = n.maxInclusive() ? x <= n.max() : x < n.max();
            if (n.integer() && x != Math.rint(x)) {
                return Optional.of("takes a whole number");
            }
            return above && below ? Optional.empty() : Optional.of("is out of range " + n.boundsText());
        } else if (type instanceof ValueType.Choice c) {
            return v instanceof Setting.Word w && c.words().contains(w.word()) ? Optional.empty()
                    : Optional.of("takes " + c.describe());
        } else if (type instanceof ValueType.Flag) {
            return v instanceof Setting.Flag ? Optional.empty() : Optional.of("takes `true` or `false`");
        } else if (type instanceof ValueType.Text t) {
            if (!(v instanceof Setting.Text text)) {
                return Optional.of("takes " + t.describe() + " in quotes");
            }
            return t.validator().apply(text.text());
        } else if (type instanceof ValueType.Ratio) {
            return v instanceof Setting.Ratio r && r.n() > 0 && r.n() < r.m() && r.m() <= ValueType.Ratio.MAX_GROUP
                    ? Optional.empty() : Optional.of("takes a ratio n:m with 0 < n < m <= " + ValueType.Ratio.MAX_GROUP);
        } else if (type instanceof ValueType.Shape s) {
            return v instanceof Setting.Shape sh && sh.dims().size() == s.rank()
                    && sh.dims().stream().allMatch(d -> d >= 1) ? Optional.empty() : Optional.of("takes " + s.describe());
        } else if (type instanceof ValueType.OneOf o) {
            for (ValueType alternative : o.alternatives()) {
                if (problem(alternative, v).isEmpty()) {
                    return Optional.empty();
                }
            }
            return Optional.of("takes " + o.describe());
        }
        return v instanceof Setting.Group ? Optional.empty() : Optional.of("takes " + type.describe());
    }
}
