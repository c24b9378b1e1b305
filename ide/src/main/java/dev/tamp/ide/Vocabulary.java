package dev.tamp.ide;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.schema.OptionSchema;
import dev.tamp.compiler.schema.OptionSpec;
import dev.tamp.compiler.schema.Schemas;
import dev.tamp.compiler.schema.ValueType;
import dev.tamp.grammar.RecipeLexer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The words of the language as editors need them, read from the ANTLR lexer's vocabulary (keywords, units,
 * operators) and the compiler's statement schemas (option names, method and choice words), so that every editor
 * file generated from them follows the compiler.
 */
public final class Vocabulary {
    private Vocabulary() {}

    /** A lexer token's literal text, such as {@code recipe} for {@link RecipeLexer#RECIPE}. */
    public static String literal(int tokenType) {
        String quoted = RecipeLexer.VOCABULARY.getLiteralName(tokenType);
        if (quoted == null) {
            throw new IllegalArgumentException("token " + RecipeLexer.VOCABULARY.getSymbolicName(tokenType) + " has no literal");
        }
        return quoted.substring(1, quoted.length() - 1);
    }

    /** The literal texts of the lexer's tokens {@code first..last}, in grammar order. */
    public static List<String> literals(int first, int last) {
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
    public static List<OptionSchema> schemas() {
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
}
