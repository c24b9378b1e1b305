package dev.tamp.compiler.format;

import dev.tamp.compiler.parse.ParsedFile;
import dev.tamp.grammar.RecipeLexer;
import dev.tamp.grammar.RecipeParser;
import dev.tamp.grammar.RecipeParser.*;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Prints a parsed file in the canonical layout: two-space indentation, one statement or option per line with values
 * aligned in a column, a blank line between declarations, single spaces between tokens (none inside {@code 2:4},
 * {@code 1/255}, {@code #3} and set braces). Comments stay where they were, on their own line or at the end of one;
 * up to one blank line between statements is kept. A block written on one line stays on one line while it fits.
 * Formatting is idempotent: formatting the output again changes nothing.
 */
public final class Formatter {
    private static final int MAX_INLINE_WIDTH = 100;
    private static final String INDENT = "  ";

    private final CommonTokenStream tokens;
    private final StringBuilder out = new StringBuilder();
    private int indent;
    /** Index of the next token whose preceding comments have not been printed. */
    private int cursor;
    private Token lastPrinted;
    private boolean lineHasContent;

    private Formatter(CommonTokenStream tokens) {
        this.tokens = tokens;
    }

    /** Formats a file that parsed without errors. */
    public static String format(ParsedFile parsed) {
        if (!parsed.isClean()) {
            throw new IllegalArgumentException("only files without syntax errors can be formatted");
        }
        Formatter f = new Formatter(parsed.tokens());
        f.compilationUnit(parsed.tree().get());
        return f.out.toString();
    }

    private void compilationUnit(CompilationUnitContext ctx) {
        boolean first = true;
        for (DeclarationContext d : ctx.declaration()) {
            if (!first) {
                blankLine();
            }
            first = false;
            if (d instanceof RecipeDeclarationContext r) {
                words(r.RECIPE().getSymbol(), r.name);
                statementBlock(r.LBRACE().getSymbol(), r.statement(), r.RBRACE().getSymbol());
            } else {
                TargetDeclarationContext t = (TargetDeclarationContext) d;
                words(t.TARGET().getSymbol(), t.name);
                optionBlock(t.optionBlock(), false);
            }
        }
        flushComments(ctx.EOF().getSymbol().getTokenIndex(), true);
        endLine();
    }

    private void statementBlock(Token open, List<StatementContext> statements, Token close) {
        token(open);
        indent++;
        ParserRuleContext previous = null;
        for (StatementContext s : statements) {
            beginItem(previous, s);
            statement(s);
            previous = s;
        }
        closeBlock(close);
    }

    private void statement(StatementContext ctx) {
        if (ctx instanceof BudgetStatementContext b) {
            token(b.BUDGET().getSymbol());
            token(b.LBRACE().getSymbol());
            indent++;
            int width = b.budgetEntry().stream().mapToInt(e -> e.metric.getText().length()).max().orElse(0);
            ParserRuleContext previous = null;
            for (BudgetEntryContext e : b.budgetEntry()) {
                beginItem(previous, e);
                inline(e.metric);
                pad(width - e.metric.getText().length());
                inline(e.comparison());
                inline(e.budgetBound());
                previous = e;
            }
            closeBlock(b.RBRACE().getSymbol());
            return;
        }
        OptionBlockContext block = null;
        if (ctx instanceof DataStatementContext d) {
            block = d.optionBlock();
        } else if (ctx instanceof EmitStatementContext e) {
            block = e.optionBlock();
        } else if (ctx instanceof PassStatementContext p) {
            block = p.optionBlock();
        }
        for (int i = 0; i < ctx.getChildCount(); i++) {
            ParseTree child = ctx.getChild(i);
            if (child == block) {
                optionBlock(block, true);
            } else {
                inline(child);
            }
        }
    }

    private void optionBlock(OptionBlockContext ctx, boolean inlineAllowed) {
        Token open = ctx.LBRACE().getSymbol();
        Token close = ctx.RBRACE().getSymbol();
        List<OptionContext> options = ctx.option();
        if (options.isEmpty() && !hasComments(open, close)) {
            token(open);
            glue(close);
            return;
        }
        if (inlineAllowed && open.getLine() == close.getLine() && !hasComments(open, close)) {
            String rendered = renderInline(ctx);
            if (currentColumn() + 1 + rendered.length() <= MAX_INLINE_WIDTH) {
                space();
                out.append(rendered);
                lineHasContent = true;
                lastPrinted = close;
                cursor = close.getTokenIndex() + 1;
                return;
            }
        }
        token(open);
        indent++;
        int width = options.stream().mapToInt(o -> o.key.getText().length()).max().orElse(0);
        ParserRuleContext previous = null;
        for (OptionContext o : options) {
            beginItem(previous, o);
            inline(o.key);
            pad(width - o.key.getText().length());
            value(o.value());
            previous = o;
        }
        closeBlock(close);
    }

    private void value(ValueContext ctx) {
        if (ctx instanceof BlockValueContext b) {
            optionBlock(b.optionBlock(), true);
        } else {
            inline(ctx);
        }
    }

    /** A block on one line: {@code { method svd; rank 8 }}, nested blocks inline too. */
    private String renderInline(OptionBlockContext ctx) {
        List<String> parts = new ArrayList<>();
        for (OptionContext o : ctx.option()) {
            StringBuilder part = new StringBuilder(o.key.getText());
            if (o.value() instanceof BlockValueContext b) {
                part.append(' ').append(renderInline(b.optionBlock()));
            } else {
                part.append(' ').append(renderTokens(o.value()));
            }
            parts.add(part.toString());
        }
        return parts.isEmpty() ? "{}" : "{ " + String.join("; ", parts) + " }";
    }

    private String renderTokens(ParseTree tree) {
        StringBuilder s = new StringBuilder();
        Token[] previous = {null};
        forEachToken(tree, t -> {
            if (previous[0] != null && spaceBetween(previous[0], t)) {
                s.append(' ');
            }
            s.append(t.getText());
            previous[0] = t;
        });
        return s.toString();
    }

    // ---- Token output -------------------------------------------------------------------------------------------

    private void words(Token keyword, ParserRuleContext name) {
        token(keyword);
        inline(name);
    }

    /** Prints every token of a subtree on the current line with canonical spacing. */
    private void inline(ParseTree tree) {
        forEachToken(tree, t -> {
            if (lastPrinted != null && lineHasContent && !spaceBetween(lastPrinted, t)) {
                glue(t);
            } else {
                token(t);
            }
        });
    }

    private static void forEachToken(ParseTree tree, java.util.function.Consumer<Token> action) {
        if (tree instanceof TerminalNode leaf) {
            int type = leaf.getSymbol().getType();
            if (type != RecipeLexer.NL && type != RecipeLexer.SEMI && type != Token.EOF) {
                action.accept(leaf.getSymbol());
            }
            return;
        }
        for (int i = 0; i < tree.getChildCount(); i++) {
            forEachToken(tree.getChild(i), action);
        }
    }

    /** Whether canonical layout puts a space between two neighbouring tokens of one line. */
    private boolean spaceBetween(Token left, Token right) {
        int l = left.getType();
        int r = right.getType();
        if (r == RecipeLexer.COMMA || l == RecipeLexer.HASHMARK) {
            return false;
        }
        if (l == RecipeLexer.COLON || r == RecipeLexer.COLON || l == RecipeLexer.SLASH || r == RecipeLexer.SLASH) {
            return false;
        }
        if (l == RecipeLexer.MINUS && isSign(left)) {
            return false;
        }
        if (l == RecipeLexer.LBRACE && isSetBrace(left) || r == RecipeLexer.RBRACE && isSetBrace(right)) {
            return false;
        }
        return true;
    }

    private boolean isSign(Token minus) {
        return tokens.get(minus.getTokenIndex()) == minus && parentOf(minus) instanceof QuantityContext;
    }

    private boolean isSetBrace(Token brace) {
        ParserRuleContext parent = parentOf(brace);
        return parent instanceof SetValueContext || parent instanceof AutoSetContext;
    }

    /** The rule a token belongs to, found by the parse tree's recorded token ranges. */
    private ParserRuleContext parentOf(Token token) {
        return parents.get(token.getTokenIndex());
    }

    private final java.util.Map<Integer, ParserRuleContext> parents = new java.util.HashMap<>();

    private void token(Token t) {
        flushComments(t.getTokenIndex(), false);
        space();
        out.append(t.getText());
        lineHasContent = true;
        lastPrinted = t;
        cursor = t.getTokenIndex() + 1;
    }

    /** Prints a token directly after the previous one, without a space. */
    private void glue(Token t) {
        flushComments(t.getTokenIndex(), false);
        if (!lineHasContent) {
            startLine();
        }
        out.append(t.getText());
        lineHasContent = true;
        lastPrinted = t;
        cursor = t.getTokenIndex() + 1;
    }

    private void space() {
        if (!lineHasContent) {
            startLine();
        } else if (out.length() > 0 && out.charAt(out.length() - 1) != ' ') {
            out.append(' ');
        }
    }

    private void pad(int n) {
        if (n > 0) {
            out.append(" ".repeat(n));
        }
    }

    private void startLine() {
        out.append(INDENT.repeat(indent));
        lineHasContent = true;
        lastPrinted = null;
    }

    private void endLine() {
        if (lineHasContent) {
            trimTrailingSpaces();
            out.append('\n');
            lineHasContent = false;
        }
    }

    private void blankLine() {
        endLine();
        if (out.length() > 0 && !out.toString().endsWith("\n\n")) {
            out.append('\n');
        }
    }

    private void trimTrailingSpaces() {
        int end = out.length();
        while (end > 0 && out.charAt(end - 1) == ' ') {
            end--;
        }
        out.setLength(end);
    }

    private int currentColumn() {
        int lineStart = out.lastIndexOf("\n") + 1;
        return out.length() - lineStart;
    }

    /** Starts a statement, option or budget entry on a new line, keeping one blank line if the source had one. */
    private void beginItem(ParserRuleContext previous, ParserRuleContext item) {
        Token first = item.getStart();
        boolean blank = previous != null && firstLineOfItemWithComments(item) - previous.getStop().getLine() > 1;
        flushComments(first.getTokenIndex(), true);
        endLine();
        if (blank && !out.toString().endsWith("\n\n")) {
            out.append('\n');
        }
        indexParents(item);
    }

    private int firstLineOfItemWithComments(ParserRuleContext item) {
        int line = item.getStart().getLine();
        for (int i = item.getStart().getTokenIndex() - 1; i >= cursor; i--) {
            Token t = tokens.get(i);
            if (isComment(t)) {
                line = t.getLine();
            }
        }
        return line;
    }

    private void closeBlock(Token close) {
        flushComments(close.getTokenIndex(), true);
        indent--;
        endLine();
        token(close);
    }

    // ---- Comments -----------------------------------------------------------------------------------------------

    private static boolean isComment(Token t) {
        return t.getType() == RecipeLexer.LINE_COMMENT || t.getType() == RecipeLexer.BLOCK_COMMENT;
    }

    private boolean hasComments(Token open, Token close) {
        for (int i = open.getTokenIndex() + 1; i < close.getTokenIndex(); i++) {
            if (isComment(tokens.get(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Prints the comments before token {@code upTo}: a comment on the line of the previously printed token stays at
     * the end of that line; others go on lines of their own, keeping one blank line above them if the source had one.
     */
    private void flushComments(int upTo, boolean beforeItem) {
        Token previousToken = lastPrinted;
        int previousLine = lastPrinted != null ? lastEndLine(lastPrinted) : -1;
        for (int i = cursor; i < upTo; i++) {
            Token t = tokens.get(i);
            if (!isComment(t)) {
                continue;
            }
            boolean trailing = previousToken != null && lineHasContent && t.getLine() == previousLine;
            if (trailing) {
                out.append(t.getType() == RecipeLexer.LINE_COMMENT ? "  " : " ");
                out.append(t.getText());
            } else {
                boolean blank = previousLine > 0 && t.getLine() - previousLine > 1;
                endLine();
                if (blank && out.length() > 0 && !out.toString().endsWith("\n\n") && !out.toString().endsWith("{\n")) {
                    out.append('\n');
                }
                out.append(INDENT.repeat(indent)).append(t.getText());
                lineHasContent = true;
            }
            previousToken = t;
            previousLine = lastEndLine(t);
            if (t.getType() == RecipeLexer.LINE_COMMENT || !beforeItem && false) {
                endLine();
            }
            lastPrinted = null;
            cursor = i + 1;
        }
        if (previousToken != null && previousToken != lastPrinted && isComment(previousToken)
                && previousToken.getType() == RecipeLexer.BLOCK_COMMENT && !beforeItem) {
            lastPrinted = previousToken;
        }
        cursor = Math.max(cursor, upTo);
    }

    private static int lastEndLine(Token t) {
        String text = t.getText();
        int lines = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lines++;
            }
        }
        return t.getLine() + lines;
    }

    private void indexParents(ParserRuleContext ctx) {
        for (int i = 0; i < ctx.getChildCount(); i++) {
            ParseTree child = ctx.getChild(i);
            if (child instanceof TerminalNode leaf) {
                parents.put(leaf.getSymbol().getTokenIndex(), ctx);
            } else {
                indexParents((ParserRuleContext) child);
            }
        }
    }

    static {
        // RecipeParser is referenced for its rule contexts; keep the import meaningful for readers.
        RecipeParser.class.getName();
    }
}
