package dev.tamp.compiler.parse;

import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.diag.Note;
import dev.tamp.compiler.diag.Suggestions;
import dev.tamp.compiler.source.SourceFile;
import dev.tamp.grammar.RecipeLexer;
import dev.tamp.grammar.RecipeParser;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ListTokenSource;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.IntervalSet;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * Lexes and parses one file. Parsing runs in SLL mode first, which is fast and right for every valid recipe, and
 * falls back to full LL with statement-level recovery only when SLL fails, to give exact messages.
 */
public final class Parsing {
    private Parsing() {}

    public static ParsedFile parse(SourceFile file, Consumer<Diagnostic> report) {
        int[] errors = {0};
        Consumer<Diagnostic> counting = d -> {
            if (d.isError()) {
                errors[0]++;
            }
            report.accept(d);
        };
        ListTokenSource source = Lexing.tokenize(file, counting);
        if (source == null) {
            return new ParsedFile(file, new CommonTokenStream(new ListTokenSource(List.of())), Optional.empty(), errors[0]);
        }
        CommonTokenStream tokens = new CommonTokenStream(source);
        tokens.fill();
        RecipeParser parser = new RecipeParser(tokens);
        parser.removeErrorListeners();
        parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
        parser.setErrorHandler(new BailErrorStrategy());
        RecipeParser.CompilationUnitContext tree;
        try {
            tree = parser.compilationUnit();
        } catch (ParseCancellationException sllFailed) {
            tokens.seek(0);
            parser.reset();
            parser.getInterpreter().setPredictionMode(PredictionMode.LL);
            parser.setErrorHandler(new StatementRecovery((p, offending, expected, exact) -> {
                if (!Lexing.isReportedErrorToken(offending)) {
                    counting.accept(syntaxError(file, tokens, p, offending, expected, exact));
                }
            }));
            tree = parser.compilationUnit();
        }
        return new ParsedFile(file, tokens, Optional.of(tree), errors[0]);
    }

    private static Diagnostic syntaxError(SourceFile file, CommonTokenStream tokens, Parser parser, Token offending,
                                          IntervalSet expected, boolean exact) {
        String expectation = exact && !expected.isNil() ? TokenNames.describeExpected(expected) : null;
        if (offending.getType() == Token.EOF) {
            Diagnostic d = Diagnostic.of(DiagnosticCode.UNEXPECTED_END_OF_FILE, file, file.endSpan(),
                    "unexpected end of file" + (expectation != null ? "; expected " + expectation : ""));
            Optional<Token> open = unclosedBrace(tokens);
            if (open.isPresent()) {
                d = d.withNote(Note.at(file, Lexing.span(file, open.get()), "this `{` is never closed"))
                        .withHint("add the missing `}`");
            }
            return d;
        }
        String message = "unexpected " + TokenNames.describe(offending)
                + (expectation != null ? "; expected " + expectation : "");
        Diagnostic d = Diagnostic.of(DiagnosticCode.SYNTAX_ERROR, file, Lexing.span(file, offending), message);
        Optional<String> hint = hint(tokens, offending, expected);
        return hint.map(d::withHint).orElse(d);
    }

    private static Optional<String> hint(CommonTokenStream tokens, Token offending, IntervalSet expected) {
        String text = offending.getText();
        List<String> keywords = TokenNames.expectedKeywords(expected);
        boolean word = !text.isEmpty() && Character.isLetter(text.charAt(0));
        Optional<String> keyword = word ? Suggestions.closest(text, keywords) : Optional.empty();
        if (keyword.isPresent()) {
            boolean unit = TokenNames.isUnit(typeOf(keyword.get()));
            return Optional.of("did you mean `" + keyword.get() + "`?" + (unit ? " (units are case-sensitive)" : ""));
        }
        Optional<String> unit = unitIgnoringCase(text);
        if (unit.isPresent() && previousIs(tokens, offending, RecipeLexer.NUMBER)) {
            // After a number the unit was optional, so the expected set has none to suggest: `48 kb`.
            return Optional.of("did you mean `" + unit.get() + "`? (units are case-sensitive)");
        }
        boolean statementCouldEnd = expected.contains(RecipeLexer.NL) || expected.contains(RecipeLexer.SEMI);
        if (statementCouldEnd && onSameLineAsPrevious(tokens, offending)) {
            return Optional.of("statements and options end at a newline or `;`");
        }
        if (offending.getType() == RecipeLexer.IDENT && expected.contains(RecipeLexer.STRING)
                && !expected.contains(RecipeLexer.IDENT)) {
            return Optional.of("write paths and texts in double quotes: \"" + text + "\"");
        }
        return Optional.empty();
    }

    private static int typeOf(String literal) {
        for (int t = 1; t <= RecipeLexer.VOCABULARY.getMaxTokenType(); t++) {
            if (literal.equals(TokenNames.literal(t))) {
                return t;
            }
        }
        return -1;
    }

    private static Optional<String> unitIgnoringCase(String text) {
        for (int t = 1; t <= RecipeLexer.VOCABULARY.getMaxTokenType(); t++) {
            if (TokenNames.isUnit(t) && TokenNames.literal(t).equalsIgnoreCase(text)) {
                return Optional.of(TokenNames.literal(t));
            }
        }
        return Optional.empty();
    }

    private static boolean previousIs(CommonTokenStream tokens, Token offending, int type) {
        for (int i = offending.getTokenIndex() - 1; i >= 0; i--) {
            Token t = tokens.get(i);
            if (t.getChannel() == Token.DEFAULT_CHANNEL) {
                return t.getType() == type;
            }
        }
        return false;
    }

    private static boolean onSameLineAsPrevious(CommonTokenStream tokens, Token offending) {
        for (int i = offending.getTokenIndex() - 1; i >= 0; i--) {
            Token t = tokens.get(i);
            if (t.getChannel() != Token.DEFAULT_CHANNEL) {
                continue;
            }
            return t.getType() != RecipeLexer.NL && t.getType() != RecipeLexer.SEMI && t.getType() != RecipeLexer.LBRACE
                    && t.getLine() == offending.getLine();
        }
        return false;
    }

    private static Optional<Token> unclosedBrace(CommonTokenStream tokens) {
        Deque<Token> open = new ArrayDeque<>();
        for (Token t : tokens.getTokens()) {
            if (t.getType() == RecipeLexer.LBRACE) {
                open.push(t);
            } else if (t.getType() == RecipeLexer.RBRACE && !open.isEmpty()) {
                open.pop();
            }
        }
        return open.isEmpty() ? Optional.empty() : Optional.of(open.peek());
    }
}
