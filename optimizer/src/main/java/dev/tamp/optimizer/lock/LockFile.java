package dev.tamp.optimizer.lock;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.compiler.source.SourceSpan;
import dev.tamp.model.ir.Graph;
import dev.tamp.optimizer.pass.Pass;
import dev.tamp.optimizer.pass.PassContext;
import dev.tamp.optimizer.pipeline.Pipeline;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What {@code tamp compile --lock} replays (docs/lock.md): the format version, the tool version, the seed, the
 * SHA-256 of every input (recipe, model, data files, target spec, teacher), and the fully resolved pipeline, one
 * pass on one layer per line in MLIR's textual pipeline form ({@code prune-magnitude{layer="/fc1/Gemm"
 * sparsity=80% ...}}) with every option explicit and every {@code auto} resolved, then the recipe's {@code finetune}
 * and {@code distill} statements. {@link #render} and {@link LockParser#parse} are inverse: the printed text parses
 * back to a lock that prints the same. {@code lines} gives, in a parsed lock, the spans of the {@code tamp} and
 * {@code seed} lines.
 */
public record LockFile(int format, String tool, long seed, List<Input> inputs, List<Step> steps,
        Map<String, SourceSpan> lines) {
    /** The format this version writes and reads. */
    public static final int FORMAT = 1;
    /** The file's name beside the outputs. */
    public static final String FILE_NAME = "tamp.lock";
    /** The roles of hashed inputs, in the order they are written. */
    public static final List<String> ROLES = List.of("recipe", "model", "data", "target", "teacher");
    /** Statements that apply to the whole model and appear after the per-layer passes. */
    static final List<PassKind> WHOLE_MODEL = List.of(PassKind.FINETUNE, PassKind.DISTILL);

    private static final Pattern WORD = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    public LockFile {
        Objects.requireNonNull(tool);
        inputs = List.copyOf(inputs);
        steps = List.copyOf(steps);
        lines = Map.copyOf(lines);
    }

    /**
     * One hashed input: its role ({@link #ROLES}), where the recipe names it (relative to the recipe's folder; a
     * target by its name), and the SHA-256 of its bytes in lower-case hex. {@code span} is where a parsed lock gives
     * the hash.
     */
    public record Input(String role, String path, String sha256, Optional<SourceSpan> span) {
        public Input(String role, String path, String sha256) {
            this(role, path, sha256, Optional.empty());
        }
    }

    /**
     * One line of the pipeline: a pass ({@code prune-magnitude}, {@code regularize}, {@code finetune}) on one layer, or
     * a whole-model statement without one, with its options; {@code span} is its line in a parsed lock, {@code
     * layerSpan} where the layer is named.
     */
    public record Step(String pass, PassKind family, Optional<String> layer, Settings settings,
            Optional<SourceSpan> span, Optional<SourceSpan> layerSpan) {
        public Step(String pass, PassKind family, Optional<String> layer, Settings settings) {
            this(pass, family, layer, settings, Optional.empty(), Optional.empty());
        }
    }

    /**
     * The lock of one run: {@code layers} is the per-layer settings the pipeline ran with (a {@link PassContext}'s),
     * written pass by pass in the order the pipeline runs them (regularization first), each pass's layers in graph
     * order; then {@code finetune} and {@code distill} as the recipe states them.
     */
    public static LockFile of(String tool, long seed, List<Input> inputs, Graph graph,
            Map<PassKind, Map<String, Settings>> layers, Optional<Settings> finetune, Optional<Settings> distill) {
        List<Step> steps = new ArrayList<>();
        Comparator<String> graphOrder = Comparator.comparingInt(l -> position(graph, l));
        layers.getOrDefault(PassKind.REGULARIZE, Map.of()).keySet().stream().sorted(graphOrder).forEach(layer ->
                steps.add(new Step("regularize", PassKind.REGULARIZE, Optional.of(layer),
                        layers.get(PassKind.REGULARIZE).get(layer))));
        for (Pass pass : Pipeline.plan(new PassContext(seed, layers))) {
            Map<String, Settings> byLayer = layers.getOrDefault(pass.info().family(), Map.of());
            byLayer.keySet().stream().sorted(graphOrder).forEach(layer -> {
                Settings s = byLayer.get(layer);
                if (s.get("method").isEmpty() || s.word("method").equals(pass.info().method())) {
                    steps.add(new Step(pass.info().name(), pass.info().family(), Optional.of(layer), s));
                }
            });
        }
        finetune.ifPresent(s -> steps.add(new Step("finetune", PassKind.FINETUNE, Optional.empty(), s)));
        distill.ifPresent(s -> steps.add(new Step("distill", PassKind.DISTILL, Optional.empty(), s)));
        return new LockFile(FORMAT, tool, seed, inputs, steps, Map.of());
    }

    /** The per-layer settings to run, as a {@link PassContext} takes them: by family, each in graph order. */
    public Map<PassKind, Map<String, Settings>> layers(Graph graph) {
        Map<PassKind, Map<String, Settings>> layers = new EnumMap<>(PassKind.class);
        steps.stream().filter(s -> s.layer().isPresent())
                .sorted(Comparator.comparingInt(s -> position(graph, s.layer().get())))
                .forEach(s -> layers.computeIfAbsent(s.family(), k -> new LinkedHashMap<>())
                        .put(s.layer().get(), s.settings()));
        return layers;
    }

    /** A whole-model statement ({@code finetune}, {@code distill}) as the lock states it. */
    public Optional<Step> statement(PassKind kind) {
        return steps.stream().filter(s -> s.layer().isEmpty() && s.family() == kind).findFirst();
    }

    /** The input of a role and path, if the lock hashes it. */
    public Optional<Input> input(String role, String path) {
        return inputs.stream().filter(i -> i.role().equals(role) && i.path().equals(path)).findFirst();
    }

    private static int position(Graph graph, String layer) {
        for (int i = 0; i < graph.nodes().size(); i++) {
            if (graph.nodes().get(i).name().equals(layer)) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    /** The lock file's text. */
    public String render() {
        StringBuilder b = new StringBuilder();
        b.append("# tamp lock file: `tamp compile RECIPE --lock FILE` replays this pipeline exactly (docs/lock.md)\n");
        b.append("tamp-lock ").append(format).append('\n');
        b.append("tamp ").append(quote(tool)).append('\n');
        b.append("seed ").append(seed).append('\n');
        for (Input in : inputs) {
            b.append(String.format(java.util.Locale.ROOT, "%-7s %s sha256:%s%n", in.role(), quote(in.path()),
                    in.sha256()));
        }
        b.append("pipeline {\n").append(renderPipeline()).append("}\n");
        return b.toString();
    }

    /** The pipeline alone, one pass per line, indented by two spaces. */
    public String renderPipeline() {
        StringBuilder b = new StringBuilder();
        for (Step s : steps) {
            b.append("  ").append(s.pass()).append('{');
            String sep = "";
            if (s.layer().isPresent()) {
                b.append("layer=").append(quote(s.layer().get()));
                sep = " ";
            }
            for (Map.Entry<String, Setting> e : s.settings().values().entrySet()) {
                b.append(sep).append(e.getKey()).append('=').append(value(e.getValue()));
                sep = " ";
            }
            b.append("}\n");
        }
        return b.toString();
    }

    /** One option value: numbers exactly (fractions as percent), words bare, text quoted, {@code auto} with its range. */
    static String value(Setting setting) {
        if (setting instanceof Setting.Num n) {
            return n.fraction() ? decimal(n.value(), 2) + "%" : decimal(n.value(), 0);
        } else if (setting instanceof Setting.Auto a) {
            if (!a.choices().isEmpty()) {
                return "auto[" + String.join(",", a.choices().stream().map(v -> decimal(v, 0)).toList()) + "]";
            }
            if (a.low().isEmpty() && a.high().isEmpty()) {
                return "auto";
            }
            return "auto(" + (a.low().isPresent() ? decimal(a.low().getAsDouble(), 0) : "") + ".."
                    + (a.high().isPresent() ? decimal(a.high().getAsDouble(), 0) : "") + ")";
        } else if (setting instanceof Setting.Word w) {
            if (!WORD.matcher(w.word()).matches() || List.of("true", "false", "auto").contains(w.word())) {
                throw new IllegalArgumentException("not a lockable word: " + w.word());
            }
            return w.word();
        } else if (setting instanceof Setting.Flag f) {
            return Boolean.toString(f.value());
        } else if (setting instanceof Setting.Text t) {
            return quote(t.text());
        } else if (setting instanceof Setting.Ratio r) {
            return r.n() + ":" + r.m();
        } else if (setting instanceof Setting.Shape s) {
            return String.join("x", s.dims().stream().map(String::valueOf).toList());
        } else {
            Setting.Group g = (Setting.Group) setting;
            StringBuilder b = new StringBuilder("{");
            // Group maps are unordered (Map.copyOf): sorted names keep the text canonical.
            g.settings().keySet().stream().sorted().forEach(k -> b.append(b.length() > 1 ? " " : "").append(k)
                    .append('=').append(value(g.settings().get(k))));
            return b.append('}').toString();
        }
    }

    /**
     * A double as the shortest decimal that reads back to it, shifted by {@code 10^shift} exactly (so {@code 0.85}
     * prints as {@code 85} for a percent and reads back to the same double).
     */
    static String decimal(double v, int shift) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("not a finite number: " + v);
        }
        return new BigDecimal(Double.toString(v)).movePointRight(shift).stripTrailingZeros().toPlainString();
    }

    /** A string in double quotes with {@code \"}, {@code \\} and {@code \\uXXXX} for control characters. */
    static String quote(String text) {
        StringBuilder b = new StringBuilder("\"");
        text.codePoints().forEach(c -> {
            if (c == '"' || c == '\\') {
                b.append('\\').appendCodePoint(c);
            } else if (c < 0x20 || c == 0x7f) {
                b.append(String.format(java.util.Locale.ROOT, "\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.append('"').toString();
    }
}
