package dev.tamp.compiler.ast;

import java.util.List;
import java.util.Optional;

/** Prints an AST as a deterministic S-expression that leaves out source spans, so trees compare by structure. */
public final class AstPrinter {
    private final StringBuilder out = new StringBuilder();

    private AstPrinter() {}

    /** The S-expression of a node: one line per declaration, statement, option and budget entry, indented by depth. */
    public static String print(Node node) {
        AstPrinter p = new AstPrinter();
        p.node(node, 0);
        return p.out.append('\n').toString();
    }

    private void node(Node node, int depth) {
        if (node instanceof CompilationUnit u) {
            open("unit");
            lines(u.declarations(), depth);
            close();
        } else if (node instanceof Declaration d) {
            declaration(d, depth);
        } else if (node instanceof Statement s) {
            statement(s, depth);
        } else if (node instanceof Name n) {
            atom(n.text());
        } else if (node instanceof Selector s) {
            open("selector");
            open("include");
            s.include().forEach(t -> node(t, depth));
            close();
            open("except");
            s.exclude().forEach(t -> node(t, depth));
            close();
            close();
        } else if (node instanceof SelectorTerm t) {
            selectorTerm(t);
        } else if (node instanceof OptionBlock b) {
            open("block");
            lines(b.options(), depth);
            close();
        } else if (node instanceof Option o) {
            open("option");
            node(o.key(), depth);
            node(o.value(), depth);
            close();
        } else if (node instanceof Value v) {
            value(v, depth);
        } else if (node instanceof Quantity q) {
            open("quantity");
            atom(q.number().toString());
            atom(q.unit().map(Unit::symbol).orElse("-"));
            close();
        } else if (node instanceof BudgetEntry e) {
            open("entry");
            node(e.metric(), depth);
            atom(e.comparison().symbol());
            bound(e.bound(), depth);
            close();
        } else if (node instanceof Bound b) {
            bound(b, depth);
        } else {
            throw new IllegalArgumentException("unknown node " + node.getClass().getName());
        }
    }

    private void declaration(Declaration d, int depth) {
        if (d instanceof Declaration.Recipe r) {
            open("recipe");
            node(r.name(), depth);
            lines(r.statements(), depth);
        } else {
            Declaration.Target t = (Declaration.Target) d;
            open("target");
            node(t.name(), depth);
            node(t.properties(), depth);
        }
        close();
    }

    private void statement(Statement s, int depth) {
        if (s instanceof Statement.Model m) {
            open("model");
            string(m.path().value());
        } else if (s instanceof Statement.Data d) {
            open("data");
            optional(d.name(), depth);
            optionalString(d.path().map(Statement.StringLiteral::value));
            optional(d.options(), depth);
        } else if (s instanceof Statement.TargetRef t) {
            open("target-ref");
            optionalString(t.path().map(Statement.StringLiteral::value));
            optional(t.name(), depth);
        } else if (s instanceof Statement.Seed seed) {
            open("seed");
            node(seed.value(), depth);
        } else if (s instanceof Statement.Budget b) {
            open("budget");
            lines(b.entries(), depth);
        } else if (s instanceof Statement.Emit e) {
            open("emit");
            node(e.language(), depth);
            optional(e.options(), depth);
        } else if (s instanceof Statement.Pass p) {
            open(p.kind().keyword());
            optional(p.selector(), depth);
            optional(p.options(), depth);
        } else {
            throw new IllegalArgumentException("unknown statement " + s.getClass().getName());
        }
        close();
    }

    private void selectorTerm(SelectorTerm t) {
        if (t instanceof SelectorTerm.All) {
            open("all");
        } else if (t instanceof SelectorTerm.Exact e) {
            open(e.quoted() ? "quoted-name" : "name");
            string(e.name());
        } else if (t instanceof SelectorTerm.Glob g) {
            open("glob");
            string(g.pattern());
        } else if (t instanceof SelectorTerm.Regex r) {
            open("regex");
            string(r.pattern());
        } else if (t instanceof SelectorTerm.OpType o) {
            open("type");
            atom(o.opType());
        } else if (t instanceof SelectorTerm.Position p) {
            open("position");
            atom(Integer.toString(p.index()));
        } else {
            throw new IllegalArgumentException("unknown selector term " + t.getClass().getName());
        }
        close();
    }

    private void value(Value v, int depth) {
        if (v instanceof Value.Auto a) {
            open("auto");
            optional(a.range(), depth);
            a.choices().forEach(c -> node(c, depth));
        } else if (v instanceof Value.Range r) {
            open("range");
            node(r.low(), depth);
            node(r.high(), depth);
        } else if (v instanceof Value.Set s) {
            open("set");
            s.elements().forEach(e -> node(e, depth));
        } else if (v instanceof Value.Block b) {
            open("block-value");
            node(b.block(), depth);
        } else if (v instanceof Value.Number n) {
            open("number");
            node(n.quantity(), depth);
        } else if (v instanceof Value.Fraction f) {
            open("fraction");
            atom(f.numerator().toString());
            atom(f.denominator().toString());
        } else if (v instanceof Value.Ratio r) {
            open("ratio");
            atom(Integer.toString(r.left()));
            atom(Integer.toString(r.right()));
        } else if (v instanceof Value.Shape s) {
            open("shape");
            s.dims().forEach(d -> atom(Integer.toString(d)));
        } else if (v instanceof Value.Text t) {
            open("text");
            string(t.value());
        } else if (v instanceof Value.Word w) {
            open("word");
            atom(w.word());
        } else {
            throw new IllegalArgumentException("unknown value " + v.getClass().getName());
        }
        close();
    }

    private void bound(Bound b, int depth) {
        if (b instanceof Bound.Absolute a) {
            open("absolute");
            node(a.value(), depth);
        } else {
            Bound.Baseline base = (Bound.Baseline) b;
            open("baseline");
            atom(base.offset().isEmpty() ? "-" : base.negative() ? "minus" : "plus");
            optional(base.offset(), depth);
        }
        close();
    }

    // ---- Output -------------------------------------------------------------------------------------------------

    /** Children that are declarations, statements, options or entries: each on a line of its own. */
    private void lines(List<? extends Node> children, int depth) {
        for (Node child : children) {
            out.append('\n').append("  ".repeat(depth + 1));
            node(child, depth + 1);
        }
    }

    private void optional(Optional<? extends Node> child, int depth) {
        if (child.isPresent()) {
            node(child.get(), depth);
        } else {
            atom("-");
        }
    }

    private void optionalString(Optional<String> text) {
        if (text.isPresent()) {
            string(text.get());
        } else {
            atom("-");
        }
    }

    private void open(String label) {
        separate();
        out.append('(').append(label);
    }

    private void close() {
        out.append(')');
    }

    private void atom(String text) {
        separate();
        out.append(text);
    }

    /** A string with quotes and control characters escaped, so every value prints on one line unambiguously. */
    private void string(String text) {
        separate();
        out.append('"');
        text.codePoints().forEach(c -> {
            if (c == '"' || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        out.append('"');
    }

    private void separate() {
        if (out.length() > 0) {
            char last = out.charAt(out.length() - 1);
            if (last != '(' && last != ' ' && last != '\n') {
                out.append(' ');
            }
        }
    }
}
