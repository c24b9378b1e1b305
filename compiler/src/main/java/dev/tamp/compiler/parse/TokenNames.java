package dev.tamp.compiler.parse;

import dev.tamp.grammar.RecipeLexer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/** Human names for token types and sets of them, as syntax errors show them. */
public final class TokenNames {
    private static final BitSet KEYWORDS = new BitSet();
    private static final BitSet UNITS = new BitSet();
    private static final BitSet STATEMENT_STARTS = new BitSet();

    static {
        for (int t = RecipeLexer.RECIPE; t <= RecipeLexer.BASELINE; t++) {
            KEYWORDS.set(t);
        }
        for (int t = RecipeLexer.PERCENT; t <= RecipeLexer.GHZ; t++) {
            UNITS.set(t);
        }
        for (int t = RecipeLexer.MODEL; t <= RecipeLexer.DISTILL; t++) {
            STATEMENT_STARTS.set(t);
        }
        STATEMENT_STARTS.set(RecipeLexer.TARGET);
    }

    private TokenNames() {}

    /** The literal text of a keyword, unit or punctuation token, or null for tokens with variable text. */
    public static String literal(int type) {
        String literal = RecipeLexer.VOCABULARY.getLiteralName(type);
        return literal == null ? null : literal.substring(1, literal.length() - 1);
    }

    public static boolean isKeyword(int type) {
        return type >= 0 && KEYWORDS.get(type);
    }

    public static boolean isUnit(int type) {
        return type >= 0 && UNITS.get(type);
    }

    private static boolean isStatementStart(int type) {
        return type >= 0 && STATEMENT_STARTS.get(type);
    }

    /** Every word the lexer reserves: keywords and units. */
    public static List<String> reservedWords() {
        List<String> words = new ArrayList<>();
        for (int t = 1; t <= RecipeLexer.VOCABULARY.getMaxTokenType(); t++) {
            if (KEYWORDS.get(t) || UNITS.get(t)) {
                words.add(literal(t));
            }
        }
        return words;
    }

    /** What a token is, for messages: {@code `prune`}, {@code "a number"}, {@code end of line}. */
    public static String describe(Token token) {
        return switch (token.getType()) {
            case Token.EOF -> "end of file";
            case RecipeLexer.NL -> "end of line";
            case RecipeLexer.NUMBER -> "number `" + clip(token.getText()) + "`";
            case RecipeLexer.STRING -> "string " + clip(token.getText());
            default -> "`" + clip(token.getText()) + "`";
        };
    }

    private static String clip(String text) {
        return text.length() > 40 ? text.substring(0, 37) + "..." : text;
    }

    /** Describes an expected set: names collapse to "a name", units to "a unit", statement keywords to "a statement". */
    public static String describeExpected(IntervalSet expected) {
        Set<String> parts = new LinkedHashSet<>();
        List<Integer> types = expected.toList();
        boolean name = types.contains(RecipeLexer.IDENT);
        boolean statement = types.contains(RecipeLexer.PRUNE) && types.contains(RecipeLexer.MODEL) && !name;
        boolean unit = types.contains(RecipeLexer.PERCENT) && types.contains(RecipeLexer.KB);
        if (statement) {
            parts.add("a statement (`model`, `data`, `target`, `budget`, `seed`, a pass such as `prune`, or `emit`)");
        }
        for (int type : types) {
            if (name && (isKeyword(type) || isUnit(type) || type == RecipeLexer.IDENT)) {
                parts.add("a name");
            } else if (statement && isStatementStart(type)) {
                continue;
            } else if (unit && isUnit(type)) {
                parts.add("a unit");
            } else {
                parts.add(describeType(type));
            }
        }
        List<String> list = new ArrayList<>(parts);
        if (list.size() == 1) {
            return list.get(0);
        }
        return String.join(", ", list.subList(0, list.size() - 1)) + " or " + list.get(list.size() - 1);
    }

    static String describeType(int type) {
        return switch (type) {
            case Token.EOF -> "end of file";
            case RecipeLexer.NL -> "end of line";
            case RecipeLexer.IDENT -> "a name";
            case RecipeLexer.NUMBER -> "a number";
            case RecipeLexer.STRING -> "a string";
            case RecipeLexer.REGEX -> "a regular expression `re\"...\"`";
            case RecipeLexer.GLOB -> "a pattern";
            case RecipeLexer.SHAPE -> "a shape such as `4x4`";
            default -> {
                String literal = literal(type);
                yield literal != null ? "`" + literal + "`" : RecipeLexer.VOCABULARY.getDisplayName(type);
            }
        };
    }

    /** The keywords in an expected set (not counting those only reachable as names), for "did you mean". */
    public static List<String> expectedKeywords(IntervalSet expected) {
        List<String> words = new ArrayList<>();
        boolean name = expected.contains(RecipeLexer.IDENT);
        for (int type : expected.toList()) {
            if ((isKeyword(type) || isUnit(type)) && !name) {
                words.add(literal(type));
            }
        }
        return words;
    }
}
