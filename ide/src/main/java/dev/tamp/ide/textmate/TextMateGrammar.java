package dev.tamp.ide.textmate;

import com.google.gson.GsonBuilder;
import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.schema.OptionSchema;
import dev.tamp.compiler.schema.OptionSpec;
import dev.tamp.compiler.schema.Schemas;
import dev.tamp.compiler.schema.ValueType;
import dev.tamp.grammar.RecipeLexer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The TextMate grammar of {@code .recipe} and {@code .target} files, built from the ANTLR lexer's vocabulary (keywords,
 * units, operators) and the compiler's statement schemas (option names, method and choice words), so the editor's
 * word lists cannot drift from the language the compiler accepts.
 *
 * <p>Keywords are reserved only where a statement starts, so keyword and option-name rules match only there: after
 * the line's indentation, a {@code {}, a {@code ;} or a block comment. Units are highlighted only right after a number.
 */
public final class TextMateGrammar {
    /** The TextMate scope name of the language; the VS Code extension's package.json refers to it. */
    public static final String SCOPE = "source.tamp";

    /** Characters that may continue a name: a keyword followed by one of these is part of a longer word. */
    private static final String NOT_NAME_PART = "(?![A-Za-z0-9_.*?-])";
    /** Where a statement may start: the start of a line or right after `{`, `;` or a block comment. */
    private static final String STATEMENT_START = "(?:^|(?<=[{;])|(?<=\\*/))\\s*";
    private static final String NUMBER = "(?:[0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|\\.[0-9]+(?:[eE][+-]?[0-9]+)?)";
    private static final String NAME = "[A-Za-z_](?:[A-Za-z0-9_]|\\.[A-Za-z0-9_])*(?:-[A-Za-z_](?:[A-Za-z0-9_]|\\.[A-Za-z0-9_])*)*";
    private static final String GLOB = "[A-Za-z0-9_.]*[*?][A-Za-z0-9_.*?]*";

    private TextMateGrammar() {}

    /** A lexer token's literal text, such as {@code recipe} for {@link RecipeLexer#RECIPE}. */
    public static String literal(int tokenType) {
        String quoted = RecipeLexer.VOCABULARY.getLiteralName(tokenType);
        if (quoted == null) {
            throw new IllegalArgumentException("token " + RecipeLexer.VOCABULARY.getSymbolicName(tokenType) + " has no literal");
        }
        return quoted.substring(1, quoted.length() - 1);
    }

    private static List<String> literals(int first, int last) {
        List<String> words = new ArrayList<>();
        for (int t = first; t <= last; t++) {
            words.add(literal(t));
        }
        return words;
    }

    /** Statement and declaration keywords, {@code recipe} to {@code distill}. */
    public static List<String> statementKeywords() {
        return literals(RecipeLexer.RECIPE, RecipeLexer.DISTILL);
    }

    /** Pass-family keywords, {@code prune} to {@code distill}: they start a selector. */
    public static List<String> passKeywords() {
        return literals(RecipeLexer.PRUNE, RecipeLexer.DISTILL);
    }

    /** Words that are keywords inside a selector or value: {@code except}, {@code type}, {@code in}. */
    public static List<String> operatorWords() {
        return List.of(literal(RecipeLexer.EXCEPT), literal(RecipeLexer.TYPE), literal(RecipeLexer.IN));
    }

    /** {@code auto}, {@code baseline} and the flag words. */
    public static List<String> constantWords() {
        List<String> words = new ArrayList<>(List.of(literal(RecipeLexer.AUTO), literal(RecipeLexer.BASELINE)));
        words.addAll(new TreeSet<>(ValueType.Flag.TRUE));
        words.addAll(new TreeSet<>(ValueType.Flag.FALSE));
        return words;
    }

    /** Every keyword token of the lexer, {@code recipe} to {@code baseline}. */
    public static List<String> lexerKeywords() {
        return literals(RecipeLexer.RECIPE, RecipeLexer.BASELINE);
    }

    /** Every unit token of the lexer, {@code %} to {@code GHz}. */
    public static List<String> units() {
        return literals(RecipeLexer.PERCENT, RecipeLexer.GHZ);
    }

    /** Every punctuation and operator token, {@code {} to {@code ==}. */
    public static List<String> punctuation() {
        return literals(RecipeLexer.LBRACE, RecipeLexer.EQ);
    }

    /** Every option schema of the language, nested groups included. */
    static List<OptionSchema> schemas() {
        List<OptionSchema> all = new ArrayList<>();
        for (PassKind kind : PassKind.values()) {
            addWithGroups(Schemas.pass(kind), all);
        }
        addWithGroups(Schemas.DATA, all);
        Schemas.EMIT.keySet().stream().sorted().forEach(language -> addWithGroups(Schemas.EMIT.get(language), all));
        addWithGroups(Schemas.TARGET, all);
        return all;
    }

    private static void addWithGroups(OptionSchema schema, List<OptionSchema> into) {
        into.add(schema);
        for (OptionSpec spec : schema.options().values()) {
            if (spec.type() instanceof ValueType.Group group) {
                addWithGroups(group.schema(), into);
            }
        }
    }

    /** Option names of every statement and group, and the budget metrics. */
    public static Set<String> optionNames() {
        Set<String> names = new TreeSet<>(Schemas.BUDGETS.keySet());
        for (OptionSchema schema : schemas()) {
            names.addAll(schema.options().keySet());
        }
        return names;
    }

    /** The method words of every pass family. */
    public static Set<String> methodWords() {
        Set<String> words = new TreeSet<>();
        for (PassKind kind : PassKind.values()) {
            words.addAll(Schemas.pass(kind).methods());
        }
        return words;
    }

    /** Words of every other choice (such as {@code per-channel}, {@code cosine}), and the emit languages. */
    public static Set<String> choiceWords() {
        Set<String> words = new TreeSet<>(Schemas.EMIT.keySet());
        for (OptionSchema schema : schemas()) {
            for (OptionSpec spec : schema.options().values()) {
                if (!spec.name().equals("method")) {
                    collectChoices(spec.type(), words);
                }
            }
        }
        words.removeAll(constantWords());
        return words;
    }

    private static void collectChoices(ValueType type, Set<String> into) {
        if (type instanceof ValueType.Choice choice) {
            into.addAll(choice.words());
        } else if (type instanceof ValueType.OneOf oneOf) {
            oneOf.alternatives().forEach(t -> collectChoices(t, into));
        }
    }

    /** Alternation of literal words, longest first so that {@code KB/s} wins over {@code KB}. */
    static String alternation(java.util.Collection<String> words) {
        List<String> sorted = new ArrayList<>(new TreeSet<>(words));
        sorted.sort(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
        return "(?:" + String.join("|", sorted.stream().map(TextMateGrammar::quote).toList()) + ")";
    }

    /** Escapes regex metacharacters; Oniguruma and Java agree on these. */
    static String quote(String word) {
        StringBuilder b = new StringBuilder();
        for (char c : word.toCharArray()) {
            if ("\\^$.|?*+()[]{}/".indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    /** The grammar as an ordered JSON object model. */
    public static Map<String, Object> model() {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("$schema", "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json");
        g.put("name", "tamp");
        g.put("scopeName", SCOPE);
        g.put("fileTypes", List.of("recipe", "target"));
        g.put("comment", "GENERATED by dev.tamp.ide.textmate.GenerateTextMateGrammar from the ANTLR lexer (Recipe.g4) "
                + "and the statement schemas (Schemas.java). Do not edit; regenerate with "
                + "`mvn -pl ide -am test -Dtest=TextMateGrammarTest -Dsurefire.failIfNoSpecifiedTests=false -Dgolden.accept=true`.");
        g.put("patterns", List.of(
                include("#comments"), include("#strings"), include("#declaration"), include("#selector"),
                include("#statement-keyword"), include("#method"), include("#option-name"), include("#numbers"),
                include("#words"), include("#operators"), include("#punctuation")));

        Map<String, Object> repo = new LinkedHashMap<>();
        repo.put("comments", patterns(
                rule("comment.block.tamp", "begin", "/\\*", "end", "\\*/",
                        "beginCaptures", captures(0, "punctuation.definition.comment.tamp"),
                        "endCaptures", captures(0, "punctuation.definition.comment.tamp")),
                rule("comment.line.double-slash.tamp", "match", "(//).*$",
                        "captures", captures(1, "punctuation.definition.comment.tamp"))));
        repo.put("strings", patterns(
                rule("string.regexp.tamp", "match", "re\"(?:[^\"\\\\]|\\\\.)*\""),
                rule("string.quoted.double.tamp", "match", "\"(?:[^\"\\\\]|\\\\.)*\""),
                rule("invalid.illegal.unterminated-string.tamp", "match", "(?:re)?\"(?:[^\"\\\\]|\\\\.)*\\\\?$")));
        // `recipe NAME` and `target NAME {` declare; `target raspberry-pi4` in a recipe refers to a bundled spec.
        repo.put("declaration", patterns(rule(null,
                "match", STATEMENT_START + "(" + quote(literal(RecipeLexer.RECIPE)) + "|" + quote(literal(RecipeLexer.TARGET))
                        + "|" + quote(literal(RecipeLexer.DATA)) + "|" + quote(literal(RecipeLexer.EMIT)) + ")"
                        + "\\s+(" + NAME + ")" + NOT_NAME_PART,
                "captures", captures(1, "keyword.control.tamp", 2, "entity.name.type.tamp"))));
        // A pass keyword starts a selector that runs to its option block, the statement's end or the line's end
        // (unless the line ends in a comma, where the selector goes on). The engine sees each line with its `\\n`, so the
        // end must not match after it.
        repo.put("selector", patterns(rule("meta.selector.tamp",
                "begin", STATEMENT_START + "(" + alternation(passKeywords()) + ")" + NOT_NAME_PART,
                "beginCaptures", captures(1, "keyword.control.tamp"),
                "end", "(?=[{};]|//|/\\*)|(?<![,\\s])\\s*$",
                "patterns", List.of(
                        include("#comments"),
                        rule("string.regexp.tamp", "match", "re\"(?:[^\"\\\\]|\\\\.)*\""),
                        rule("entity.name.tag.quoted.tamp", "match", "\"(?:[^\"\\\\]|\\\\.)*\""),
                        rule(null, "match", "\\b(" + quote(literal(RecipeLexer.EXCEPT)) + ")" + NOT_NAME_PART,
                                "captures", captures(1, "keyword.other.tamp")),
                        rule(null, "match", "\\b(" + quote(literal(RecipeLexer.TYPE)) + ")\\s+(" + NAME + ")",
                                "captures", captures(1, "keyword.other.tamp", 2, "entity.name.type.operator.tamp")),
                        rule(null, "match", "(#)([0-9]+)",
                                "captures", captures(1, "keyword.operator.position.tamp", 2, "constant.numeric.tamp")),
                        rule("entity.name.tag.glob.tamp", "match", "(?<![A-Za-z0-9_.*?-])" + GLOB),
                        rule("entity.name.tag.tamp", "match", "(?<![A-Za-z0-9_.*?-])" + NAME),
                        rule("punctuation.separator.comma.tamp", "match", ",")))));
        repo.put("statement-keyword", patterns(rule(null,
                "match", STATEMENT_START + "(" + alternation(statementKeywords()) + ")" + NOT_NAME_PART,
                "captures", captures(1, "keyword.control.tamp"))));
        repo.put("method", patterns(rule(null,
                "match", STATEMENT_START + "(method)\\s+(" + alternation(methodWords()) + ")" + NOT_NAME_PART,
                "captures", captures(1, "variable.parameter.tamp", 2, "entity.name.function.tamp"))));
        repo.put("option-name", patterns(rule(null,
                "match", STATEMENT_START + "(" + alternation(optionNames()) + ")" + NOT_NAME_PART,
                "captures", captures(1, "variable.parameter.tamp"))));
        repo.put("numbers", patterns(
                rule("constant.numeric.shape.tamp", "match", "(?<![A-Za-z0-9_.])[0-9]+(?:x[0-9]+)+" + NOT_NAME_PART),
                rule(null, "match", "(?<![A-Za-z0-9_.])(" + NUMBER + ")(?:\\s*(" + alternation(units()) + ")"
                                + "(?![A-Za-z0-9_]))?",
                        "captures", captures(1, "constant.numeric.tamp", 2, "keyword.other.unit.tamp"))));
        repo.put("words", patterns(
                rule(null, "match", "(?<![A-Za-z0-9_.*?-])(" + alternation(constantWords()) + ")" + NOT_NAME_PART,
                        "captures", captures(1, "constant.language.tamp")),
                rule(null, "match", "(?<![A-Za-z0-9_.*?-])(" + quote(literal(RecipeLexer.IN)) + ")" + NOT_NAME_PART,
                        "captures", captures(1, "keyword.other.tamp")),
                rule(null, "match", "(?<![A-Za-z0-9_.*?-])(" + alternation(choiceWords()) + ")" + NOT_NAME_PART,
                        "captures", captures(1, "support.constant.tamp"))));
        repo.put("operators", patterns(
                rule("keyword.operator.comparison.tamp", "match", alternation(literals(RecipeLexer.LE, RecipeLexer.EQ))),
                rule("keyword.operator.range.tamp", "match", quote(literal(RecipeLexer.DOTDOT))),
                rule("keyword.operator.arithmetic.tamp", "match",
                        "[" + quote(literal(RecipeLexer.PLUS)) + "\\" + literal(RecipeLexer.MINUS) + "]"),
                rule("keyword.operator.fraction.tamp", "match", quote(literal(RecipeLexer.SLASH))),
                rule("keyword.operator.ratio.tamp", "match", quote(literal(RecipeLexer.COLON))),
                rule("keyword.operator.wildcard.tamp", "match", quote(literal(RecipeLexer.STAR))),
                rule("keyword.operator.position.tamp", "match", quote(literal(RecipeLexer.HASHMARK)))));
        repo.put("punctuation", patterns(
                rule("punctuation.section.block.begin.tamp", "match", quote(literal(RecipeLexer.LBRACE))),
                rule("punctuation.section.block.end.tamp", "match", quote(literal(RecipeLexer.RBRACE))),
                rule("punctuation.separator.comma.tamp", "match", quote(literal(RecipeLexer.COMMA))),
                rule("punctuation.terminator.statement.tamp", "match", quote(literal(RecipeLexer.SEMI)))));
        g.put("repository", repo);
        return g;
    }

    /** The grammar as the JSON text written to {@code ide/vscode/syntaxes/tamp.tmLanguage.json}. */
    public static String json() {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(model()) + "\n";
    }

    /** Every regular expression in the grammar, for tests that compile them. */
    @SuppressWarnings("unchecked")
    static List<String> regexes(Object node) {
        List<String> out = new ArrayList<>();
        if (node instanceof Map<?, ?> map) {
            for (var e : map.entrySet()) {
                if (Set.of("match", "begin", "end").contains(e.getKey()) && e.getValue() instanceof String s) {
                    out.add(s);
                } else {
                    out.addAll(regexes(e.getValue()));
                }
            }
        } else if (node instanceof List<?> list) {
            list.forEach(x -> out.addAll(regexes(x)));
        }
        return out;
    }

    /** Compiles with Java's engine as a cheap sanity check; the npm test runs the real Oniguruma engine. */
    static Pattern compile(String regex) {
        return Pattern.compile(regex);
    }

    private static Map<String, Object> include(String ref) {
        return Map.of("include", ref);
    }

    private static Map<String, Object> patterns(Object... rules) {
        return Map.of("patterns", List.of(rules));
    }

    private static Map<String, Object> rule(String name, Object... keysAndValues) {
        Map<String, Object> r = new LinkedHashMap<>();
        if (name != null) {
            r.put("name", name);
        }
        for (int i = 0; i < keysAndValues.length; i += 2) {
            r.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return r;
    }

    private static Map<String, Object> captures(Object... groupsAndScopes) {
        Map<String, Object> c = new LinkedHashMap<>();
        for (int i = 0; i < groupsAndScopes.length; i += 2) {
            c.put(String.valueOf(groupsAndScopes[i]), Map.of("name", groupsAndScopes[i + 1]));
        }
        return c;
    }
}
