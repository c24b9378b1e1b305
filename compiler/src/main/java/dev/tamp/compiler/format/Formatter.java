package dev.tamp.compiler.format;

import dev.tamp.compiler.parse.ParsedFile;
import dev.tamp.grammar.RecipeLexer;
import dev.tamp.grammar.RecipeParser.AutoSetContext;
import dev.tamp.grammar.RecipeParser.BlockValueContext;
import dev.tamp.grammar.RecipeParser.BudgetEntryContext;
import dev.tamp.grammar.RecipeParser.BudgetStatementContext;
import dev.tamp.grammar.RecipeParser.CompilationUnitContext;
import dev.tamp.grammar.RecipeParser.DataStatementContext;
import dev.tamp.grammar.RecipeParser.DeclarationContext;
import dev.tamp.grammar.RecipeParser.ModelStatementContext;
import dev.tamp.grammar.RecipeParser.SeedStatementContext;
import dev.tamp.grammar.RecipeParser.TargetStatementContext;
import dev.tamp.grammar.RecipeParser.OptionBlockContext;
import dev.tamp.grammar.RecipeParser.OptionContext;
import dev.tamp.grammar.RecipeParser.QuantityContext;
import dev.tamp.grammar.RecipeParser.RecipeDeclarationContext;
import dev.tamp.grammar.RecipeParser.SetValueContext;
import dev.tamp.grammar.RecipeParser.TargetDeclarationContext;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Prints a parsed file in the canonical layout, keeping every comment; formatting the output again changes nothing.
 *
 * <p>The layout: two-space indentation; one statement, option or budget entry per line; a blank line between
 * declarations, and up to one blank line between statements or options where the source had one. The values of an
 * option block and the comparisons of a budget are aligned in a column after the longest key; options whose value is
 * a block are left out of the column (<code>peak &#123;</code>, not <code>peak &nbsp; &nbsp; &#123;</code>). Tokens
 * are separated by single spaces, except none inside {@code 2:4}, {@code 1/255}, {@code #3}, {@code -0.5} and set
 * braces {@code {3, 4, 8}} and none before {@code ,}; an empty block is {@code {}}. An option or budget block written
 * on one line stays on one line ({@code { method svd; rank 8 }}) if it has no comments and its line fits in 100
 * columns; declaration bodies are always one item per line.
 *
 * The arguments of a recipe's header statements ({@code model}, {@code data}, {@code target}, {@code seed}) line
 * up the same way.
 *
 * <p>Comments: one that followed code on its source line stays at the end of that line (two spaces before
 * {@code //}, one before a block comment, so block comments inside a statement stay in place); the {@code //}
 * comments ending consecutive lines are aligned in one column, as gofmt does; any other starts its
 * own line at the current indentation, with a blank line above it if the source had one. A comment that ended its
 * source line still ends its line. Inside a statement that is safe because the source had a newline there, which the
 * grammar allows only where a line may continue (after a comma, inside set braces); the rest of such a statement is
 * indented two levels deeper. A blank line always precedes a declaration together with its leading comments. Line
 * endings become {@code \n}; the output ends with exactly one newline, or is empty for a file with nothing but
 * blanks.
 */
public final class Formatter {
    private static final int MAX_WIDTH = 100;
    private static final String INDENT = "  ";

    private final List<Token> tokens;
    /**
     * The 1-based source line on which each token starts and after its last character, by token index. Counted here
     * rather than taken from ANTLR, which counts only {@code \n} and would put a whole {@code \r}-only file on line 1.
     */
    private final int[] startLine;
    private final int[] endLine;

    private final StringBuilder out = new StringBuilder();
    private int indent;
    /** Whether a newline must precede the next output (nothing printed on the current line yet). */
    private boolean atLineStart = true;
    /** Index of the first token whose preceding comments are not printed yet. */
    private int cursor;
    /** The source line where the last printed token or comment ended; 0 before anything. */
    private int lastLine;
    /** The last printed token, for spacing; meaningful only while {@code !atLineStart}. */
    private TerminalNode lastToken;
    private boolean afterComment;
    /** Nothing printed yet in the current block (or file): no blank line may be kept here. */
    private boolean afterOpen = true;
    /** Inside a statement, option or entry, so a line broken by a comment continues at a deeper indentation. */
    private boolean inItem;
    /** The next item starts with a blank line whatever the source had (between declarations). */
    private boolean forceBlank;
    /** A block comment on its own line with code after it on the same source line; the code stays on that line. */
    private boolean commentLeads;
    /** Rendering a block on one line: nested blocks go on the same line, items separated by {@code ;}. */
    private boolean oneLine;
    /** Output offsets where a trailing line comment starts (at its two leading spaces), for aligning them. */
    private final List<Integer> trailing = new ArrayList<>();

    private Formatter(List<Token> tokens) {
        this.tokens = tokens;
        this.startLine = new int[tokens.size()];
        this.endLine = new int[tokens.size()];
        int line = 1;
        for (int i = 0; i < tokens.size(); i++) {
            startLine[i] = line;
            line += lineBreaks(tokens.get(i).getType() == Token.EOF ? "" : tokens.get(i).getText());
            endLine[i] = line;
        }
    }

    /** Formats a file that parsed without errors. */
    public static String format(ParsedFile parsed) {
        if (!parsed.isClean()) {
            throw new IllegalArgumentException("only files without syntax errors can be formatted");
        }
        Formatter f = new Formatter(parsed.tokens().getTokens());
        f.compilationUnit(parsed.tree().get());
        return f.alignTrailingComments();
    }

    private void compilationUnit(CompilationUnitContext ctx) {
        boolean first = true;
        for (DeclarationContext d : ctx.declaration()) {
            forceBlank = !first;
            first = false;
            beginItem(d);
            if (d instanceof RecipeDeclarationContext r) {
                emit(r.RECIPE());
                walk(r.name);
                block(r.LBRACE(), r.statement(), r.RBRACE(), false);
            } else {
                TargetDeclarationContext t = (TargetDeclarationContext) d;
                emit(t.TARGET());
                walk(t.name);
                OptionBlockContext body = t.optionBlock();
                block(body.LBRACE(), body.option(), body.RBRACE(), false);
            }
        }
        inItem = false;
        flushComments(ctx.EOF().getSymbol().getTokenIndex());
        newLine();
    }

    /** Prints a subtree's tokens on the current line; blocks inside it get their own layout. */
    private void walk(ParseTree tree) {
        if (tree instanceof TerminalNode leaf) {
            int type = leaf.getSymbol().getType();
            // Separators are re-created by the layout: a newline per item, or `;` on one line.
            if (type != RecipeLexer.NL && type != RecipeLexer.SEMI && type != Token.EOF) {
                emit(leaf);
            }
        } else if (tree instanceof OptionBlockContext b) {
            block(b.LBRACE(), b.option(), b.RBRACE(), true);
        } else if (tree instanceof BudgetStatementContext b) {
            emit(b.BUDGET());
            block(b.LBRACE(), b.budgetEntry(), b.RBRACE(), true);
        } else {
            for (int i = 0; i < tree.getChildCount(); i++) {
                walk(tree.getChild(i));
            }
        }
    }

    /**
     * Prints {@code { items }}: empty as {@code {}}, on one line if allowed and it was on one line, has no comments
     * and fits, otherwise one item per line. Trying the one-line form and rolling back keeps a single printing path.
     */
    private void block(TerminalNode open, List<? extends ParserRuleContext> items, TerminalNode close,
                       boolean mayStayOnOneLine) {
        int from = open.getSymbol().getTokenIndex();
        int to = close.getSymbol().getTokenIndex();
        boolean comments = hasComments(from, to);
        if (items.isEmpty() && !comments) {
            emit(open);
            emit(close);
            return;
        }
        if (oneLine || mayStayOnOneLine && !comments && startLine[from] == startLine[to]) {
            State before = save();
            boolean outer = oneLine;
            oneLine = true;
            emit(open);
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) {
                    out.append(';');
                }
                item(items.get(i), 0);
            }
            emit(close);
            oneLine = outer;
            if (outer || currentColumn() <= MAX_WIDTH) {
                return;
            }
            restore(before);
        }
        emit(open);
        indent++;
        afterOpen = true;
        int width = keyWidth(items);
        for (ParserRuleContext item : items) {
            beginItem(item);
            item(item, width);
        }
        inItem = false;
        flushComments(to);
        indent--;
        newLine();
        emit(close);
    }

    private void item(ParserRuleContext item, int width) {
        if (item instanceof OptionContext o) {
            walk(o.key);
            if (!(o.value() instanceof BlockValueContext)) {
                pad(width - o.key.getText().length());
            }
            walk(o.value());
        } else if (item instanceof BudgetEntryContext e) {
            walk(e.metric);
            pad(width - e.metric.getText().length());
            walk(e.comparison());
            walk(e.budgetBound());
        } else if (isHeader(item)) {
            walk(item.getChild(0));
            pad(width - item.getChild(0).getText().length());
            for (int i = 1; i < item.getChildCount(); i++) {
                walk(item.getChild(i));
            }
        } else {
            walk(item);
        }
    }

    /** The statements that say what a recipe works on; their arguments line up like option values. */
    private static boolean isHeader(ParserRuleContext item) {
        return item instanceof ModelStatementContext || item instanceof DataStatementContext
                || item instanceof TargetStatementContext || item instanceof SeedStatementContext;
    }

    /** The width of the key column: the longest key among options with a plain value, budget metrics or header keywords. */
    private static int keyWidth(List<? extends ParserRuleContext> items) {
        int width = 0;
        for (ParserRuleContext item : items) {
            if (item instanceof OptionContext o && !(o.value() instanceof BlockValueContext)) {
                width = Math.max(width, o.key.getText().length());
            } else if (item instanceof BudgetEntryContext e) {
                width = Math.max(width, e.metric.getText().length());
            } else if (isHeader(item)) {
                width = Math.max(width, item.getChild(0).getText().length());
            }
        }
        return width;
    }

    /** Starts a declaration, statement, option or entry on a new line, after the comments that precede it. */
    private void beginItem(ParserRuleContext item) {
        inItem = false;
        int first = item.getStart().getTokenIndex();
        flushComments(first);
        if (!commentLeads) {
            newLine();
            if (forceBlank || !afterOpen && startLine[first] - lastLine > 1) {
                blankLine();
            }
        }
        forceBlank = false;
        commentLeads = false;
        afterOpen = false;
    }

    // ---- Tokens and lines ---------------------------------------------------------------------------------------

    private void emit(TerminalNode node) {
        Token t = node.getSymbol();
        flushComments(t.getTokenIndex());
        if (atLineStart) {
            startLine();
        } else if (afterComment || lastToken == null || spaceBetween(lastToken, node)) {
            out.append(' ');
        }
        out.append(t.getText());
        lastToken = node;
        lastLine = endLine[t.getTokenIndex()];
        afterComment = false;
        commentLeads = false;
        inItem = true;
        cursor = t.getTokenIndex() + 1;
    }

    /** Whether canonical layout puts a space between two neighbouring tokens of one line. */
    private static boolean spaceBetween(TerminalNode left, TerminalNode right) {
        int l = left.getSymbol().getType();
        int r = right.getSymbol().getType();
        if (r == RecipeLexer.COMMA || l == RecipeLexer.HASHMARK) {
            return false;
        }
        if (l == RecipeLexer.COLON || r == RecipeLexer.COLON || l == RecipeLexer.SLASH || r == RecipeLexer.SLASH) {
            return false;
        }
        if (l == RecipeLexer.MINUS && left.getParent() instanceof QuantityContext) {
            return false;
        }
        if (l == RecipeLexer.LBRACE && (r == RecipeLexer.RBRACE || isSetBrace(left))) {
            return false;
        }
        return !(r == RecipeLexer.RBRACE && isSetBrace(right));
    }

    private static boolean isSetBrace(TerminalNode brace) {
        return brace.getParent() instanceof SetValueContext || brace.getParent() instanceof AutoSetContext;
    }

    private void pad(int n) {
        out.append(" ".repeat(Math.max(0, n)));
    }

    private void startLine() {
        out.append(INDENT.repeat(indent + (inItem ? 2 : 0)));
        atLineStart = false;
    }

    private void newLine() {
        if (!atLineStart) {
            int end = out.length();
            while (end > 0 && (out.charAt(end - 1) == ' ' || out.charAt(end - 1) == '\t')) {
                end--;
            }
            out.setLength(end);
            out.append('\n');
            atLineStart = true;
        }
    }

    private void blankLine() {
        if (out.length() > 0 && !(out.length() >= 2 && out.charAt(out.length() - 2) == '\n')) {
            out.append('\n');
        }
    }

    private int currentColumn() {
        return out.length() - (out.lastIndexOf("\n") + 1);
    }

    // ---- Comments -----------------------------------------------------------------------------------------------

    /** Prints the comments among the tokens before {@code upTo} that are not printed yet. */
    private void flushComments(int upTo) {
        for (int i = cursor; i < upTo; i++) {
            Token t = tokens.get(i);
            if (!isComment(t)) {
                continue;
            }
            String text = normalized(t.getText());
            if (!atLineStart && startLine[i] == lastLine) {
                if (t.getType() == RecipeLexer.LINE_COMMENT) {
                    trailing.add(out.length());
                }
                out.append(t.getType() == RecipeLexer.LINE_COMMENT ? "  " : " ").append(text);
            } else {
                newLine();
                if (forceBlank || !afterOpen && startLine[i] - lastLine > 1) {
                    blankLine();
                }
                forceBlank = false;
                startLine();
                out.append(text);
                commentLeads = true;
                afterOpen = false;
            }
            afterComment = true;
            lastLine = endLine[i];
            if (endsLine(i)) {
                newLine();
                commentLeads = false;
            }
        }
        cursor = Math.max(cursor, upTo);
    }

    /** Whether nothing but blanks follows a comment on the source line where it ends. */
    private boolean endsLine(int comment) {
        for (int j = comment + 1; j < tokens.size(); j++) {
            int type = tokens.get(j).getType();
            if (type != RecipeLexer.WS) {
                return type == RecipeLexer.NL || type == Token.EOF || startLine[j] > endLine[comment];
            }
        }
        return true;
    }

    private boolean hasComments(int from, int to) {
        for (int i = from + 1; i < to; i++) {
            if (isComment(tokens.get(i))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isComment(Token t) {
        return t.getType() == RecipeLexer.LINE_COMMENT || t.getType() == RecipeLexer.BLOCK_COMMENT;
    }

    /** A comment with {@code \n} line endings and no blanks at the ends of its lines, like all other output lines. */
    private static String normalized(String comment) {
        return String.join("\n", comment.split("\r\n|\r|\n", -1)).replaceAll("[ \t]+\n", "\n");
    }

    private static int lineBreaks(String text) {
        int breaks = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n')) {
                breaks++;
            }
        }
        return breaks;
    }

    /**
     * Aligns the trailing {@code //} comments of consecutive lines in one column, two spaces after the longest code
     * among them, as gofmt does: a run ends at a line without such a comment.
     */
    private String alignTrailingComments() {
        String text = out.toString();
        StringBuilder aligned = new StringBuilder(text.length());
        List<int[]> run = new ArrayList<>();
        int lineStart = 0;
        int next = 0;
        while (lineStart < text.length()) {
            int lineEnd = text.indexOf('\n', lineStart);
            lineEnd = lineEnd < 0 ? text.length() : lineEnd + 1;
            while (next < trailing.size() && trailing.get(next) < lineStart) {
                next++;
            }
            boolean commented = next < trailing.size() && trailing.get(next) < lineEnd;
            if (commented) {
                run.add(new int[] {lineStart, trailing.get(next), lineEnd});
            } else {
                flushRun(text, run, aligned);
                aligned.append(text, lineStart, lineEnd);
            }
            lineStart = lineEnd;
        }
        flushRun(text, run, aligned);
        return aligned.toString();
    }

    private static void flushRun(String text, List<int[]> run, StringBuilder aligned) {
        int column = 0;
        for (int[] line : run) {
            column = Math.max(column, line[1] - line[0]);
        }
        for (int[] line : run) {
            aligned.append(text, line[0], line[1]).append(" ".repeat(column - (line[1] - line[0])))
                    .append(text, line[1], line[2]);
        }
        run.clear();
    }

    // ---- Rolling back a one-line attempt ------------------------------------------------------------------------

    private record State(int length, int indent, boolean atLineStart, int cursor, int lastLine, TerminalNode lastToken,
                         boolean afterComment, boolean afterOpen, boolean inItem, boolean forceBlank,
                         boolean commentLeads) {}

    private State save() {
        return new State(out.length(), indent, atLineStart, cursor, lastLine, lastToken, afterComment, afterOpen,
                inItem, forceBlank, commentLeads);
    }

    private void restore(State s) {
        out.setLength(s.length());
        trailing.removeIf(offset -> offset >= s.length());
        indent = s.indent();
        atLineStart = s.atLineStart();
        cursor = s.cursor();
        lastLine = s.lastLine();
        lastToken = s.lastToken();
        afterComment = s.afterComment();
        afterOpen = s.afterOpen();
        inItem = s.inItem();
        forceBlank = s.forceBlank();
        commentLeads = s.commentLeads();
    }
}
