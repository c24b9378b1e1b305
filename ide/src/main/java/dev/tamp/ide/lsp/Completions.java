package dev.tamp.ide.lsp;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ast.Unit;
import dev.tamp.compiler.schema.OptionSchema;
import dev.tamp.compiler.schema.OptionSpec;
import dev.tamp.compiler.schema.Schemas;
import dev.tamp.compiler.schema.ValueType;
import dev.tamp.grammar.RecipeLexer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionItemKind;

/**
 * What may be typed at a cursor, worked out from the lexer's tokens before it (the file is usually broken while
 * typing, so the parse tree cannot be relied on): statement keywords at a statement's start, option names at an
 * option's start, methods after {@code method}, choice words after other options, units after a number, layer
 * names after a pass keyword, a comma or {@code except}, shipped target names after {@code target} and languages after
 * {@code emit}.
 */
final class Completions {
    private Completions() {}

    /** What a brace opened: the recipe body, an option block with its schema, a budget block or a value set. */
    private enum BlockKind { TOP, RECIPE, OPTIONS, BUDGET, VALUES }

    private static final class Block {
        final BlockKind kind;
        final OptionSchema schema;
        final String owner;
        /** Default-channel tokens of the statement being written in this block (no separators). */
        final List<Token> statement = new ArrayList<>();
        String method;

        Block(BlockKind kind, OptionSchema schema, String owner) {
            this.kind = kind;
            this.schema = schema;
            this.owner = owner;
        }
    }

    /** The completion items at a code-point offset; {@code layers} supplies the model's layers when asked. */
    static List<CompletionItem> at(String text, int offset, java.util.function.Supplier<List<LayerCatalog.Layer>> layers) {
        return context(text, offset).map(block -> suggestions(block, layers)).orElse(List.of());
    }

    /** Documentation of the word at an offset: an option's meaning, a pass family's summary, a budget metric. */
    record Description(String markdown, int start, int end) {}

    static Optional<Description> describe(String text, int offset) {
        RecipeLexer lexer = new RecipeLexer(CharStreams.fromString(text));
        lexer.removeErrorListeners();
        for (Token token : lexer.getAllTokens()) {
            int end = token.getStopIndex() + 1;
            if (token.getStartIndex() > offset) {
                break;
            }
            if (offset > end || token.getChannel() != Token.DEFAULT_CHANNEL || !isWord(token)) {
                continue;
            }
            Optional<Block> context = context(text, token.getStartIndex());
            if (context.isEmpty() || !context.get().statement.isEmpty()) {
                return Optional.empty();
            }
            Block block = context.get();
            String word = token.getText();
            Optional<String> doc = switch (block.kind) {
                case OPTIONS -> block.schema.option(word).map(spec -> "**" + word + "**: " + spec.doc()
                        + "\n\n" + spec.type().describe()
                        + spec.defaultText().map(d -> "; default `" + d + "`").orElse(spec.required() ? "; required" : ""));
                case RECIPE -> token.getType() >= RecipeLexer.PRUNE && token.getType() <= RecipeLexer.DISTILL
                        ? Optional.of("**" + word + "**: " + Schemas.pass(PassKind.ofKeyword(word)).summary())
                        : Optional.empty();
                case BUDGET -> Optional.ofNullable(Schemas.BUDGETS.get(word)).map(m -> "**" + word + "**: " + m.doc());
                default -> Optional.empty();
            };
            return doc.map(d -> new Description(d, token.getStartIndex(), end));
        }
        return Optional.empty();
    }

    /** The innermost block at an offset with the statement written so far, or empty inside a comment or string. */
    private static Optional<Block> context(String text, int offset) {
        RecipeLexer lexer = new RecipeLexer(CharStreams.fromString(text));
        lexer.removeErrorListeners();
        Deque<Block> blocks = new ArrayDeque<>();
        blocks.push(new Block(BlockKind.TOP, null, null));
        for (Token token : lexer.getAllTokens()) {
            int end = token.getStopIndex() + 1;
            if (insideText(token, offset)) {
                return Optional.empty();
            }
            if (token.getStartIndex() >= offset || end > offset) {
                break;
            }
            if (end == offset && isWord(token)) {
                // The word the cursor touches is the prefix being typed: the client filters by it.
                break;
            }
            if (token.getChannel() != Token.DEFAULT_CHANNEL) {
                continue;
            }
            Block block = blocks.peek();
            switch (token.getType()) {
                case RecipeLexer.NL, RecipeLexer.SEMI -> endStatement(block);
                case RecipeLexer.LBRACE -> blocks.push(open(block));
                case RecipeLexer.RBRACE -> {
                    if (blocks.size() > 1) {
                        blocks.pop();
                    }
                    blocks.peek().statement.add(token);
                }
                default -> block.statement.add(token);
            }
        }
        return Optional.of(blocks.peek());
    }

    /** Whether the cursor is inside a comment or string, where nothing is suggested. */
    private static boolean insideText(Token token, int offset) {
        int end = token.getStopIndex() + 1;
        if (token.getStartIndex() >= offset || end < offset) {
            return false;
        }
        return switch (token.getType()) {
            case RecipeLexer.LINE_COMMENT, RecipeLexer.UNTERMINATED_STRING, RecipeLexer.UNTERMINATED_REGEX,
                 RecipeLexer.UNTERMINATED_COMMENT -> true;
            case RecipeLexer.BLOCK_COMMENT, RecipeLexer.STRING, RecipeLexer.REGEX -> offset < end;
            default -> false;
        };
    }

    private static boolean isWord(Token token) {
        char c = token.getText().isEmpty() ? ' ' : token.getText().charAt(0);
        return Character.isLetter(c) || c == '_';
    }

    private static void endStatement(Block block) {
        List<Token> s = block.statement;
        if (s.size() >= 2 && s.get(0).getText().equals("method")) {
            block.method = s.get(1).getText();
        }
        s.clear();
    }

    private static Block open(Block parent) {
        List<Token> s = parent.statement;
        String first = s.isEmpty() ? "" : s.get(0).getText();
        int firstType = s.isEmpty() ? -1 : s.get(0).getType();
        switch (parent.kind) {
            case TOP:
                if (firstType == RecipeLexer.RECIPE) {
                    return new Block(BlockKind.RECIPE, null, "recipe");
                }
                return new Block(BlockKind.OPTIONS, Schemas.TARGET, "target");
            case RECIPE:
                if (firstType >= RecipeLexer.PRUNE && firstType <= RecipeLexer.DISTILL) {
                    return new Block(BlockKind.OPTIONS, Schemas.pass(PassKind.ofKeyword(first)), first);
                }
                if (firstType == RecipeLexer.DATA) {
                    return new Block(BlockKind.OPTIONS, Schemas.DATA, "data");
                }
                if (firstType == RecipeLexer.BUDGET) {
                    return new Block(BlockKind.BUDGET, null, "budget");
                }
                if (firstType == RecipeLexer.EMIT && s.size() >= 2 && Schemas.EMIT.containsKey(s.get(1).getText())) {
                    return new Block(BlockKind.OPTIONS, Schemas.EMIT.get(s.get(1).getText()), "emit");
                }
                return new Block(BlockKind.VALUES, null, first);
            case OPTIONS:
                if (s.size() == 1 && parent.schema != null) {
                    Optional<OptionSpec> spec = parent.schema.option(first);
                    if (spec.isPresent() && spec.get().type() instanceof ValueType.Group group) {
                        return new Block(BlockKind.OPTIONS, group.schema(), first);
                    }
                }
                return new Block(BlockKind.VALUES, null, first);
            default:
                return new Block(BlockKind.VALUES, null, first);
        }
    }

    private static List<CompletionItem> suggestions(Block block, java.util.function.Supplier<List<LayerCatalog.Layer>> layers) {
        List<Token> s = block.statement;
        List<CompletionItem> items = new ArrayList<>();
        Token last = s.isEmpty() ? null : s.get(s.size() - 1);
        if (last != null && last.getType() == RecipeLexer.NUMBER) {
            Optional<Unit.Dimension> dimension = Optional.empty();
            if (block.kind == BlockKind.OPTIONS && block.schema != null) {
                dimension = block.schema.option(s.get(0).getText()).flatMap(o -> dimensionOf(o.type()));
            } else if (block.kind == BlockKind.BUDGET && Schemas.BUDGETS.containsKey(s.get(0).getText())) {
                dimension = Optional.of(Schemas.BUDGETS.get(s.get(0).getText()).dimension());
            }
            for (Unit unit : Unit.values()) {
                if (dimension.isEmpty() || unit.dimension() == dimension.get()) {
                    items.add(item(unit.symbol(), CompletionItemKind.Unit, unit.dimension().description()));
                }
            }
            return items;
        }
        switch (block.kind) {
            case TOP -> {
                if (s.isEmpty()) {
                    items.add(item("recipe", CompletionItemKind.Keyword, "A compression recipe"));
                    items.add(item("target", CompletionItemKind.Keyword, "A hardware target spec"));
                }
            }
            case RECIPE -> {
                if (s.isEmpty()) {
                    for (int t = RecipeLexer.MODEL; t <= RecipeLexer.DISTILL; t++) {
                        String keyword = RecipeLexer.VOCABULARY.getLiteralName(t).replace("'", "");
                        String detail = t >= RecipeLexer.PRUNE ? Schemas.pass(PassKind.ofKeyword(keyword)).summary() : "statement";
                        items.add(item(keyword, CompletionItemKind.Keyword, detail));
                    }
                    items.add(item("target", CompletionItemKind.Keyword, "The hardware target: a spec file or a shipped name"));
                } else if (s.size() == 1 && s.get(0).getType() == RecipeLexer.TARGET) {
                    for (String name : dev.tamp.compiler.BundledTargets.names()) {
                        items.add(item(name, CompletionItemKind.Value, "A target spec shipped with tamp"));
                    }
                } else if (s.size() == 1 && s.get(0).getType() == RecipeLexer.EMIT) {
                    Schemas.EMIT.keySet().stream().sorted().forEach(language ->
                            items.add(item(language, CompletionItemKind.Value, Schemas.EMIT.get(language).summary())));
                } else if (selectorContinues(s)) {
                    for (LayerCatalog.Layer layer : layers.get()) {
                        items.add(item(layer.name(), CompletionItemKind.Field, layer.description()));
                    }
                }
            }
            case OPTIONS -> {
                if (s.isEmpty()) {
                    for (OptionSpec spec : block.schema.options().values()) {
                        if (block.method == null || spec.appliesTo(block.method)) {
                            items.add(item(spec.name(), CompletionItemKind.Property, spec.doc()));
                        }
                    }
                } else if (s.size() == 1) {
                    block.schema.option(s.get(0).getText()).ifPresent(spec -> {
                        boolean method = spec.name().equals("method");
                        for (String word : choices(spec.type())) {
                            items.add(item(word, method ? CompletionItemKind.Function : CompletionItemKind.EnumMember,
                                    method ? block.owner + " method" : spec.doc()));
                        }
                        if (spec.tunable()) {
                            items.add(item("auto", CompletionItemKind.Keyword, "Let the planner choose"));
                        }
                    });
                }
            }
            case BUDGET -> {
                if (s.isEmpty()) {
                    for (String metric : Schemas.BUDGET_ORDER) {
                        items.add(item(metric, CompletionItemKind.Property, Schemas.BUDGETS.get(metric).doc()));
                    }
                }
            }
            case VALUES -> { }
        }
        return items;
    }

    /** After {@code prune}, {@code prune conv1,} or {@code prune * except}: a layer name comes next. */
    private static boolean selectorContinues(List<Token> s) {
        int first = s.get(0).getType();
        if (first < RecipeLexer.PRUNE || first > RecipeLexer.DISTILL
                || !Schemas.takesSelector(PassKind.ofKeyword(s.get(0).getText()))) {
            return false;
        }
        int last = s.get(s.size() - 1).getType();
        return s.size() == 1 || last == RecipeLexer.COMMA || last == RecipeLexer.EXCEPT;
    }

    private static List<String> choices(ValueType type) {
        List<String> words = new ArrayList<>();
        if (type instanceof ValueType.Choice choice) {
            words.addAll(choice.words());
        } else if (type instanceof ValueType.Flag) {
            words.addAll(List.of("yes", "no"));
        } else if (type instanceof ValueType.OneOf oneOf) {
            oneOf.alternatives().forEach(t -> words.addAll(choices(t)));
        }
        return words;
    }

    private static Optional<Unit.Dimension> dimensionOf(ValueType type) {
        if (type instanceof ValueType.Number n) {
            return n.dimension();
        }
        if (type instanceof ValueType.OneOf oneOf) {
            return oneOf.alternatives().stream().map(Completions::dimensionOf).flatMap(Optional::stream).findFirst();
        }
        return Optional.empty();
    }

    private static CompletionItem item(String label, CompletionItemKind kind, String detail) {
        CompletionItem item = new CompletionItem(label);
        item.setKind(kind);
        item.setDetail(detail);
        return item;
    }
}
