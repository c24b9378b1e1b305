package dev.tamp.compiler.parse;

import dev.tamp.compiler.ast.Bound;
import dev.tamp.compiler.ast.BudgetEntry;
import dev.tamp.compiler.ast.CompilationUnit;
import dev.tamp.compiler.ast.Declaration;
import dev.tamp.compiler.ast.Name;
import dev.tamp.compiler.ast.Option;
import dev.tamp.compiler.ast.OptionBlock;
import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ast.Quantity;
import dev.tamp.compiler.ast.Selector;
import dev.tamp.compiler.ast.SelectorTerm;
import dev.tamp.compiler.ast.Statement;
import dev.tamp.compiler.ast.Unit;
import dev.tamp.compiler.ast.Value;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.source.SourceFile;
import dev.tamp.compiler.source.SourceSpan;
import dev.tamp.grammar.RecipeBaseVisitor;
import dev.tamp.grammar.RecipeParser;
import dev.tamp.grammar.RecipeParser.*;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ErrorNode;
import org.antlr.v4.runtime.tree.ParseTree;

/**
 * Builds the immutable AST from a parse tree, the one place that knows the parse tree's shape. Statements and
 * declarations with syntax errors are left out (their error is already reported), so the rest can still be checked.
 * Numbers too large for their slot (a position, a ratio, a shape) are reported here.
 */
public final class AstBuilder extends RecipeBaseVisitor<Object> {
    private final SourceFile file;
    private final Consumer<Diagnostic> report;

    private AstBuilder(SourceFile file, Consumer<Diagnostic> report) {
        this.file = file;
        this.report = report;
    }

    public static CompilationUnit build(SourceFile file, RecipeParser.CompilationUnitContext tree,
                                        Consumer<Diagnostic> report) {
        return (CompilationUnit) new AstBuilder(file, report).visit(tree);
    }

    @Override
    public CompilationUnit visitCompilationUnit(CompilationUnitContext ctx) {
        List<Declaration> declarations = new ArrayList<>();
        for (DeclarationContext d : ctx.declaration()) {
            boolean broken = d instanceof RecipeDeclarationContext r
                    ? r.name == null || r.LBRACE() == null || hasErrors(r.name)
                    : hasErrors(d);
            if (!broken) {
                declarations.add((Declaration) visit(d));
            }
        }
        return new CompilationUnit(declarations, span(ctx));
    }

    @Override
    public Declaration visitRecipeDeclaration(RecipeDeclarationContext ctx) {
        List<Statement> statements = new ArrayList<>();
        for (StatementContext s : ctx.statement()) {
            if (!hasErrors(s)) {
                statements.add((Statement) visit(s));
            }
        }
        return new Declaration.Recipe(name(ctx.name), statements, span(ctx));
    }

    @Override
    public Declaration visitTargetDeclaration(TargetDeclarationContext ctx) {
        return new Declaration.Target(name(ctx.name), block(ctx.optionBlock()), span(ctx));
    }

    @Override
    public Statement visitModelStatement(ModelStatementContext ctx) {
        return new Statement.Model(string(ctx.path), span(ctx));
    }

    @Override
    public Statement visitDataStatement(DataStatementContext ctx) {
        return new Statement.Data(
                Optional.ofNullable(ctx.name).map(this::name),
                Optional.ofNullable(ctx.path).map(this::string),
                Optional.ofNullable(ctx.optionBlock()).map(this::block),
                span(ctx));
    }

    @Override
    public Statement visitTargetStatement(TargetStatementContext ctx) {
        return new Statement.TargetRef(
                Optional.ofNullable(ctx.path).map(this::string),
                Optional.ofNullable(ctx.ref).map(this::name),
                span(ctx));
    }

    @Override
    public Statement visitSeedStatement(SeedStatementContext ctx) {
        SourceSpan at = span(ctx.seed);
        Quantity q = new Quantity(new BigDecimal(ctx.seed.getText()), Optional.empty(), at);
        return new Statement.Seed(new Value.Number(q, at), span(ctx));
    }

    @Override
    public Statement visitBudgetStatement(BudgetStatementContext ctx) {
        List<BudgetEntry> entries = new ArrayList<>();
        for (BudgetEntryContext e : ctx.budgetEntry()) {
            entries.add(budgetEntry(e));
        }
        return new Statement.Budget(entries, span(ctx));
    }

    private BudgetEntry budgetEntry(BudgetEntryContext ctx) {
        BudgetEntry.Comparison comparison = switch (ctx.comparison().getStart().getType()) {
            case RecipeParser.LE -> BudgetEntry.Comparison.LE;
            case RecipeParser.LT -> BudgetEntry.Comparison.LT;
            case RecipeParser.GE -> BudgetEntry.Comparison.GE;
            case RecipeParser.GT -> BudgetEntry.Comparison.GT;
            default -> BudgetEntry.Comparison.EQ;
        };
        Bound bound;
        if (ctx.budgetBound() instanceof BaselineBoundContext b) {
            bound = new Bound.Baseline(Optional.ofNullable(b.quantity()).map(this::quantity),
                    b.sign != null && b.sign.getType() == RecipeParser.MINUS, span(b));
        } else {
            AbsoluteBoundContext a = (AbsoluteBoundContext) ctx.budgetBound();
            bound = new Bound.Absolute(quantity(a.quantity()), span(a));
        }
        return new BudgetEntry(name(ctx.metric), comparison, span(ctx.comparison()), bound, span(ctx));
    }

    @Override
    public Statement visitEmitStatement(EmitStatementContext ctx) {
        return new Statement.Emit(name(ctx.language), Optional.ofNullable(ctx.optionBlock()).map(this::block), span(ctx));
    }

    @Override
    public Statement visitPassStatement(PassStatementContext ctx) {
        PassKind kind = PassKind.ofKeyword(ctx.passKind().getText());
        return new Statement.Pass(kind, span(ctx.passKind()),
                Optional.ofNullable(ctx.selector()).map(this::selector),
                Optional.ofNullable(ctx.optionBlock()).map(this::block),
                span(ctx));
    }

    /** Whether a subtree holds a syntax error: a rule that failed, or tokens skipped during recovery. */
    static boolean hasErrors(ParseTree tree) {
        if (tree instanceof ErrorNode) {
            return true;
        }
        if (tree instanceof ParserRuleContext ctx && ctx.exception != null) {
            return true;
        }
        for (int i = 0; i < tree.getChildCount(); i++) {
            if (hasErrors(tree.getChild(i))) {
                return true;
            }
        }
        return false;
    }

    private Selector selector(SelectorContext ctx) {
        return new Selector(ctx.include.stream().map(this::term).toList(),
                ctx.exclude.stream().map(this::term).toList(), span(ctx));
    }

    private SelectorTerm term(SelectorTermContext ctx) {
        SourceSpan at = span(ctx);
        if (ctx instanceof AllLayersContext) {
            return new SelectorTerm.All(at);
        } else if (ctx instanceof GlobSelectorContext g) {
            return new SelectorTerm.Glob(g.GLOB().getText(), at);
        } else if (ctx instanceof RegexSelectorContext r) {
            return new SelectorTerm.Regex(Lexing.unquoteRegex(r.REGEX().getText()), at);
        } else if (ctx instanceof OpTypeSelectorContext t) {
            return new SelectorTerm.OpType(t.opType.getText(), at);
        } else if (ctx instanceof PositionSelectorContext p) {
            return new SelectorTerm.Position(smallInt(p.position, 1, Integer.MAX_VALUE, "a layer position"), at);
        } else if (ctx instanceof QuotedNameSelectorContext q) {
            return new SelectorTerm.Exact(Lexing.unquote(q.STRING().getText()), true, at);
        } else {
            return new SelectorTerm.Exact(((NameSelectorContext) ctx).identifier().getText(), false, at);
        }
    }

    private OptionBlock block(OptionBlockContext ctx) {
        List<Option> options = new ArrayList<>();
        for (OptionContext o : ctx.option()) {
            options.add(new Option(name(o.key), value(o.value()), span(o)));
        }
        return new OptionBlock(options, span(ctx));
    }

    private Value value(ValueContext ctx) {
        SourceSpan at = span(ctx);
        if (ctx instanceof AutoValueContext a) {
            if (a.domain instanceof AutoRangeContext r) {
                return new Value.Auto(Optional.of(new Value.Range(quantity(r.low), quantity(r.high), span(r))), List.of(), at);
            } else if (a.domain instanceof AutoSetContext s) {
                return new Value.Auto(Optional.empty(), s.quantity().stream().map(this::quantity).toList(), at);
            }
            return new Value.Auto(Optional.empty(), List.of(), at);
        } else if (ctx instanceof RangeValueContext r) {
            return new Value.Range(quantity(r.low), quantity(r.high), at);
        } else if (ctx instanceof SetValueContext s) {
            return new Value.Set(s.value().stream().map(this::value).toList(), at);
        } else if (ctx instanceof BlockValueContext b) {
            return new Value.Block(block(b.optionBlock()), at);
        } else if (ctx instanceof QuantityValueContext q) {
            return new Value.Number(quantity(q.quantity()), at);
        } else if (ctx instanceof FractionValueContext f) {
            return new Value.Fraction(new BigDecimal(f.numerator.getText()), new BigDecimal(f.denominator.getText()), at);
        } else if (ctx instanceof RatioValueContext r) {
            return new Value.Ratio(smallInt(r.left, 1, 1 << 20, "a ratio term"), smallInt(r.right, 1, 1 << 20, "a ratio term"), at);
        } else if (ctx instanceof ShapeValueContext s) {
            List<Integer> dims = new ArrayList<>();
            String[] parts = s.SHAPE().getText().split("x");
            for (String part : parts) {
                dims.add(parseSmall(part, 1, 1 << 20, span(s), "a shape dimension"));
            }
            return new Value.Shape(dims, at);
        } else if (ctx instanceof StringValueContext s) {
            return new Value.Text(Lexing.unquote(s.STRING().getText()), at);
        } else {
            return new Value.Word(((WordValueContext) ctx).identifier().getText(), at);
        }
    }

    private Quantity quantity(QuantityContext ctx) {
        BigDecimal number = new BigDecimal(ctx.NUMBER().getText());
        if (ctx.sign != null) {
            number = number.negate();
        }
        Optional<Unit> unit = Optional.ofNullable(ctx.unit()).map(u -> Unit.ofSymbol(u.getText()).orElseThrow());
        return new Quantity(number, unit, span(ctx));
    }

    private int smallInt(Token token, int min, int max, String what) {
        return parseSmall(token.getText(), min, max, span(token), what);
    }

    private int parseSmall(String text, int min, int max, SourceSpan at, String what) {
        BigDecimal value = new BigDecimal(text);
        boolean integral = value.signum() == 0 || value.stripTrailingZeros().scale() <= 0;
        if (!integral) {
            report.accept(Diagnostic.of(DiagnosticCode.WRONG_VALUE_TYPE, file, at, what + " must be a whole number, found `" + text + "`"));
            return min;
        }
        if (value.compareTo(BigDecimal.valueOf(min)) < 0 || value.compareTo(BigDecimal.valueOf(max)) > 0) {
            report.accept(Diagnostic.of(DiagnosticCode.VALUE_OUT_OF_RANGE, file, at,
                    what + " must be between " + min + " and " + max + ", found `" + text + "`"));
            return min;
        }
        return value.intValueExact();
    }

    private Name name(IdentifierContext ctx) {
        return new Name(ctx.getText(), span(ctx));
    }

    private Statement.StringLiteral string(Token token) {
        return new Statement.StringLiteral(Lexing.unquote(token.getText()), span(token));
    }

    private SourceSpan span(ParserRuleContext ctx) {
        Token start = ctx.getStart();
        Token stop = ctx.getStop() != null && ctx.getStop().getTokenIndex() >= start.getTokenIndex() ? ctx.getStop() : start;
        return file.span(start.getStartIndex(), stop.getStopIndex() + 1);
    }

    private SourceSpan span(Token token) {
        return file.span(token.getStartIndex(), token.getStopIndex() + 1);
    }
}
