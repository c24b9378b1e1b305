package dev.tamp.compiler.parse;

import dev.tamp.grammar.RecipeLexer;
import dev.tamp.grammar.RecipeParser;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.FailedPredicateException;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Error recovery at statement granularity: after a syntax error, skip to the end of the statement (a newline or
 * {@code ;} at the same brace depth, or the {@code }} that closes the enclosing block) and report nothing more until
 * the parser matches a token again. So each broken statement gives exactly one message, and the statements after it
 * are still checked. Tokens are deleted, never invented.
 */
final class StatementRecovery extends DefaultErrorStrategy {

    /** Receives each syntax error once. */
    interface Sink {
        void syntaxError(Parser parser, Token offending, IntervalSet expected, boolean expectationExact);
    }

    private final Sink sink;
    private int lastRecoveryIndex = -1;
    /** Line of the latest syntax error: a block opened on that line and left open there is abandoned at its end. */
    private int errorLine = -1;
    private int lastRecoveryState = -1;

    StatementRecovery(Sink sink) {
        this.sink = sink;
    }

    @Override
    public void reportError(Parser recognizer, RecognitionException e) {
        if (inErrorRecoveryMode(recognizer)) {
            return;
        }
        beginErrorCondition(recognizer);
        Token offending = e.getOffendingToken() != null ? e.getOffendingToken() : recognizer.getCurrentToken();
        errorLine = offending.getLine();
        IntervalSet expected = e.getExpectedTokens() != null ? e.getExpectedTokens() : new IntervalSet();
        boolean exact = true;
        if (e instanceof NoViableAltException nva && nva.getStartToken() != nva.getOffendingToken()) {
            // Prediction looked past separators to the token that fits no alternative; what was expected there is
            // the decision's set without the separators it already saw. Deeper lookahead gives no exact set.
            exact = onlySeparatorsBetween(recognizer.getInputStream(), nva.getStartToken(), nva.getOffendingToken());
            if (exact) {
                expected = new IntervalSet(expected);
                expected.remove(RecipeLexer.NL);
                expected.remove(RecipeLexer.SEMI);
            }
        }
        if (e instanceof FailedPredicateException) {
            exact = false;
        }
        sink.syntaxError(recognizer, offending, expected, exact);
    }

    private static boolean onlySeparatorsBetween(TokenStream input, Token start, Token offending) {
        for (int i = start.getTokenIndex(); i < offending.getTokenIndex(); i++) {
            int type = input.get(i).getType();
            if (type != RecipeLexer.NL && type != RecipeLexer.SEMI && input.get(i).getChannel() == Token.DEFAULT_CHANNEL) {
                return false;
            }
        }
        return true;
    }

    @Override
    protected void reportUnwantedToken(Parser recognizer) {
        if (inErrorRecoveryMode(recognizer)) {
            return;
        }
        beginErrorCondition(recognizer);
        errorLine = recognizer.getCurrentToken().getLine();
        sink.syntaxError(recognizer, recognizer.getCurrentToken(), getExpectedTokens(recognizer), true);
    }

    @Override
    protected void reportMissingToken(Parser recognizer) {
        reportUnwantedToken(recognizer);
    }

    /** A token did not match: report, skip the rest of the statement, and resume if what follows is what was needed. */
    @Override
    public Token recoverInline(Parser recognizer) {
        IntervalSet expected = getExpectedTokens(recognizer);
        InputMismatchException e = new InputMismatchException(recognizer);
        reportError(recognizer, e);
        skipToStatementEnd(recognizer);
        Token next = recognizer.getCurrentToken();
        if (next.getType() != Token.EOF && expected.contains(next.getType())) {
            recognizer.consume();
            reportMatch(recognizer);
            return next;
        }
        throw e;
    }

    /**
     * Before a list's next item: if what follows the separators cannot start an item nor close the list, report it
     * and skip that line, so one bad line does not end the whole block. (ANTLR would otherwise fail the list's loop
     * decision, which looks past the separator, and leave the block.)
     */
    @Override
    public void sync(Parser recognizer) throws RecognitionException {
        IntervalSet starts = itemStarts(recognizer.getContext());
        TokenStream input = recognizer.getInputStream();
        if (abandonsBlock(recognizer)) {
            // `quantize * { bits 4` or a string that swallowed the `}`: the block was meant to end with its line.
            // Leaving it here keeps the next lines statements instead of options of a broken block.
            throw new InputMismatchException(recognizer);
        }
        if (starts != null) {
            int k = 1;
            while (isSeparator(input.LA(k))) {
                k++;
            }
            Token next = input.LT(k);
            int type = next.getType();
            boolean closing = type == Token.EOF || type == RecipeLexer.RBRACE;
            boolean missingSeparator = k == 1 && !closing && closesItem(recognizer);
            if (missingSeparator || !closing && !starts.contains(type)) {
                if (!inErrorRecoveryMode(recognizer)) {
                    beginErrorCondition(recognizer);
                    errorLine = next.getLine();
                    IntervalSet expected;
                    if (missingSeparator) {
                        expected = IntervalSet.of(RecipeLexer.NL);
                        expected.add(RecipeLexer.SEMI);
                    } else {
                        expected = new IntervalSet(starts);
                    }
                    expected.add(recognizer.getContext() instanceof RecipeParser.CompilationUnitContext
                            ? Token.EOF : RecipeLexer.RBRACE);
                    sink.syntaxError(recognizer, next, expected, true);
                }
                for (int i = 1; i < k; i++) {
                    recognizer.consume();
                }
                skipToStatementEnd(recognizer);
                return;
            }
        }
        super.sync(recognizer);
    }

    private boolean abandonsBlock(Parser recognizer) {
        org.antlr.v4.runtime.ParserRuleContext ctx = recognizer.getContext();
        boolean block = ctx instanceof RecipeParser.OptionBlockContext || ctx instanceof RecipeParser.BudgetStatementContext;
        return block && inErrorRecoveryMode(recognizer) && isSeparator(recognizer.getInputStream().LA(1))
                && recognizer.getInputStream().LT(1).getType() == RecipeLexer.NL
                && ctx.getStart().getLine() == errorLine && blockStart(ctx).getLine() == errorLine;
    }

    private static Token blockStart(org.antlr.v4.runtime.ParserRuleContext ctx) {
        if (ctx instanceof RecipeParser.BudgetStatementContext b && b.LBRACE() != null) {
            return b.LBRACE().getSymbol();
        }
        return ctx.getStart();
    }

    /** Whether the parser sits right after a complete item, where a non-separator means a missing separator. */
    private static boolean closesItem(Parser recognizer) {
        Token previous = recognizer.getInputStream().LT(-1);
        return previous != null && previous.getType() != RecipeLexer.LBRACE && !isSeparator(previous.getType());
    }

    private static boolean isSeparator(int type) {
        return type == RecipeLexer.NL || type == RecipeLexer.SEMI;
    }

    private static final IntervalSet DECLARATION_STARTS = IntervalSet.of(RecipeLexer.RECIPE, RecipeLexer.TARGET);
    private static final IntervalSet STATEMENT_STARTS = new IntervalSet();
    private static final IntervalSet NAME_STARTS = new IntervalSet();

    static {
        STATEMENT_STARTS.add(RecipeLexer.TARGET);
        for (int t = RecipeLexer.MODEL; t <= RecipeLexer.DISTILL; t++) {
            STATEMENT_STARTS.add(t);
        }
        NAME_STARTS.add(RecipeLexer.IDENT);
        for (int t = RecipeLexer.RECIPE; t <= RecipeLexer.BASELINE; t++) {
            NAME_STARTS.add(t);
        }
        for (int t = RecipeLexer.PERCENT; t <= RecipeLexer.GHZ; t++) {
            NAME_STARTS.add(t);
        }
    }

    /** The tokens that can start an item of the list a rule holds, or null if the rule holds no list. */
    private static IntervalSet itemStarts(org.antlr.v4.runtime.ParserRuleContext ctx) {
        if (ctx instanceof RecipeParser.CompilationUnitContext) {
            return DECLARATION_STARTS;
        } else if (ctx instanceof RecipeParser.RecipeDeclarationContext) {
            return STATEMENT_STARTS;
        } else if (ctx instanceof RecipeParser.OptionBlockContext || ctx instanceof RecipeParser.BudgetStatementContext) {
            return NAME_STARTS;
        }
        return null;
    }

    /**
     * Never deletes a separator or brace to make a statement fit: `class ; simd optional` would otherwise take
     * `simd` as the class and report the next line's option as a second error.
     */
    @Override
    protected Token singleTokenDeletion(Parser recognizer) {
        int next = recognizer.getInputStream().LA(1);
        if (isSeparator(next) || next == RecipeLexer.LBRACE || next == RecipeLexer.RBRACE) {
            return null;
        }
        return super.singleTokenDeletion(recognizer);
    }

    @Override
    public void recover(Parser recognizer, RecognitionException e) {
        TokenStream input = recognizer.getInputStream();
        if (lastRecoveryIndex == input.index() && lastRecoveryState == recognizer.getState()
                && input.LA(1) != Token.EOF) {
            // Recovering twice at the same place would loop forever; give up this token.
            recognizer.consume();
        }
        lastRecoveryIndex = input.index();
        lastRecoveryState = recognizer.getState();
        skipToStatementEnd(recognizer);
        if (input.LA(1) == RecipeLexer.RBRACE && hasOpenBrace(recognizer.getContext())) {
            // The rule that failed opened this block, so the `}` that ends the skip closes it; left alone, the
            // enclosing rule would take it for its own and end early, giving a second message.
            recognizer.consume();
        }
    }

    /** Whether a rule has matched a `{` and not yet its `}`. */
    private static boolean hasOpenBrace(org.antlr.v4.runtime.ParserRuleContext ctx) {
        return ctx.getToken(RecipeLexer.LBRACE, 0) != null && ctx.getToken(RecipeLexer.RBRACE, 0) == null;
    }

    private static void skipToStatementEnd(Parser recognizer) {
        TokenStream input = recognizer.getInputStream();
        int depth = 0;
        while (true) {
            int type = input.LA(1);
            if (type == Token.EOF) {
                return;
            }
            if (type == RecipeLexer.LBRACE) {
                depth++;
            } else if (type == RecipeLexer.RBRACE) {
                if (depth == 0) {
                    return;
                }
                depth--;
            } else if ((type == RecipeLexer.NL || type == RecipeLexer.SEMI) && depth == 0) {
                return;
            }
            recognizer.consume();
        }
    }
}
