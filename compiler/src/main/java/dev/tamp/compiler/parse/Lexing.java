package dev.tamp.compiler.parse;

import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.source.SourceFile;
import dev.tamp.grammar.RecipeLexer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.ListTokenSource;
import org.antlr.v4.runtime.Token;

/**
 * Turns source text into tokens and reports lexical errors. The lexer never fails: error tokens are reported here
 * with a precise message. Stray characters are then hidden, so the statement around them is still checked; a bad
 * string stays an error token, which the parser refuses silently (it is reported already), so the statement holding
 * it is skipped rather than checked with a wrong value.
 */
final class Lexing {
    /** Deeper nesting than this is refused before parsing: no recipe needs it, and it bounds the parser's stack. */
    static final int MAX_NESTING = 64;

    private Lexing() {}

    /** The tokens of a file, all channels; a nesting overflow yields null (the file is not parsed further). */
    static ListTokenSource tokenize(SourceFile file, Consumer<Diagnostic> report) {
        RecipeLexer lexer = new RecipeLexer(CharStreams.fromString(file.text(), file.name()));
        lexer.removeErrorListeners();
        List<Token> tokens = new ArrayList<>();
        int depth = 0;
        boolean nestingReported = false;
        CommonToken unknownRun = null;
        for (Token t = lexer.nextToken(); ; t = lexer.nextToken()) {
            CommonToken token = (CommonToken) t;
            if (token.getType() == RecipeLexer.UNKNOWN_CHAR) {
                // A run of stray characters is one mistake, not one per character.
                if (unknownRun != null && unknownRun.getStopIndex() + 1 == token.getStartIndex()) {
                    unknownRun.setStopIndex(token.getStopIndex());
                } else {
                    flushUnknown(file, unknownRun, report);
                    unknownRun = token;
                }
                token.setChannel(Token.HIDDEN_CHANNEL);
                tokens.add(token);
                continue;
            }
            flushUnknown(file, unknownRun, report);
            unknownRun = null;
            switch (token.getType()) {
                case RecipeLexer.UNTERMINATED_STRING, RecipeLexer.UNTERMINATED_REGEX -> {
                    report.accept(Diagnostic.of(DiagnosticCode.UNTERMINATED_STRING, file, span(file, token),
                                    "string is not closed before the end of the line")
                            .withHint("add the closing `\"`; strings cannot span lines"));
                }
                case RecipeLexer.UNTERMINATED_COMMENT -> {
                    report.accept(Diagnostic.of(DiagnosticCode.UNTERMINATED_COMMENT, file,
                                    file.span(token.getStartIndex(), token.getStartIndex() + 2),
                                    "block comment is not closed")
                            .withHint("add `*/` where the comment ends"));
                    token.setChannel(Token.HIDDEN_CHANNEL);
                }
                case RecipeLexer.STRING -> checkEscapes(file, token, report);
                case RecipeLexer.LBRACE -> {
                    depth++;
                    if (depth > MAX_NESTING && !nestingReported) {
                        report.accept(Diagnostic.of(DiagnosticCode.NESTING_TOO_DEEP, file, span(file, token),
                                        "braces nested deeper than " + MAX_NESTING + " levels")
                                .withHint("recipes need a few levels at most; look for a missing `}`"));
                        nestingReported = true;
                    }
                }
                case RecipeLexer.RBRACE -> depth = Math.max(0, depth - 1);
                default -> { }
            }
            tokens.add(token);
            if (token.getType() == Token.EOF) {
                break;
            }
        }
        return nestingReported ? null : new ListTokenSource(tokens, file.name());
    }

    private static void flushUnknown(SourceFile file, CommonToken run, Consumer<Diagnostic> report) {
        if (run == null) {
            return;
        }
        int first = file.text().codePointAt(file.text().offsetByCodePoints(0, run.getStartIndex()));
        String shown = Character.isISOControl(first) || first == 0xFFFD
                ? String.format("U+%04X", first)
                : "`" + new String(Character.toChars(first)) + "` (U+" + String.format("%04X", first) + ")";
        int length = run.getStopIndex() - run.getStartIndex() + 1;
        String message = length == 1 ? "unexpected character " + shown
                : "unexpected characters starting with " + shown + " (" + length + " in a row)";
        Diagnostic d = Diagnostic.of(DiagnosticCode.UNEXPECTED_CHARACTER, file, span(file, run), message);
        if (first == 0xFFFD) {
            d = d.withHint("the file is not valid UTF-8 text; is it a recipe?");
        } else if (first == '\'') {
            d = d.withHint("strings use double quotes: \"...\"");
        }
        report.accept(d);
    }

    private static void checkEscapes(SourceFile file, CommonToken token, Consumer<Diagnostic> report) {
        String text = token.getText();
        int offset = token.getStartIndex();
        int cpIndex = 0;
        for (int i = 0; i < text.length(); i = text.offsetByCodePoints(i, 1), cpIndex++) {
            if (text.charAt(i) != '\\') {
                continue;
            }
            int next = i + 1 < text.length() ? text.charAt(i + 1) : -1;
            if (next == '"' || next == '\\' || next == 'n' || next == 't' || next == 'r') {
                i++;
                cpIndex++;
                continue;
            }
            token.setType(RecipeLexer.UNTERMINATED_STRING);
            report.accept(Diagnostic.of(DiagnosticCode.INVALID_ESCAPE, file,
                            file.span(offset + cpIndex, offset + cpIndex + (next < 0 ? 1 : 2)),
                            "invalid escape sequence in string")
                    .withHint("the escapes are \\\", \\\\, \\n, \\t and \\r"));
            return;
        }
    }

    /** Error tokens the lexer has reported; the parser's complaint about them would say the same thing again. */
    static boolean isReportedErrorToken(Token token) {
        int type = token.getType();
        return type == RecipeLexer.UNTERMINATED_STRING || type == RecipeLexer.UNTERMINATED_REGEX;
    }

    static dev.tamp.compiler.source.SourceSpan span(SourceFile file, Token token) {
        return file.span(token.getStartIndex(), token.getStopIndex() + 1);
    }

    /** The pattern of a regex literal: {@code re"..."} is raw except that {@code \"} stands for a quote. */
    static String unquoteRegex(String literal) {
        return literal.substring(3, literal.length() - 1).replace("\\\"", "\"");
    }

    /** The value of a string literal: quotes removed, escapes resolved. */
    static String unquote(String literal) {
        int start = 1;
        StringBuilder out = new StringBuilder();
        for (int i = start; i < literal.length() - 1; i++) {
            char c = literal.charAt(i);
            if (c == '\\' && i + 1 < literal.length() - 1) {
                char n = literal.charAt(++i);
                out.append(switch (n) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    default -> n;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
