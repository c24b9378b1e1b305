package dev.tamp.compiler.sema;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.diag.Note;
import dev.tamp.compiler.diag.Suggestions;
import dev.tamp.compiler.ir.LayerRef;
import dev.tamp.compiler.ir.LayerSelector;
import dev.tamp.compiler.ir.PassRequest;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.compiler.schema.Schemas;
import dev.tamp.compiler.source.SourceSpan;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.LayerFacts;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Weight;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Checks a recipe against its model before any heavy work: every selector term names layers that exist and have
 * weights, and every option fits the layers it reaches after the override order (a rank no larger than the matrix,
 * circulant structure only on square layers, filter pruning only where every consumer can follow).
 */
public final class ModelBinding {
    private ModelBinding() {}

    /** A layer as recipes see it, with the node and weights behind it. */
    public record Layer(LayerRef ref, Node node, List<Weight> weights) {
        public Layer {
            weights = List.copyOf(weights);
        }

        public boolean hasWeights() {
            return !weights.isEmpty();
        }

        /** The name users know best: the PyTorch module path when the exporter kept it, else the node name. */
        public String displayName() {
            return ref.aliases().isEmpty() ? ref.name() : ref.aliases().get(0);
        }
    }

    /**
     * The model's layers in graph order, numbered from 1 as {@code tamp inspect} shows them. Besides its node name a
     * layer answers to its PyTorch module path ({@code /layer2/shortcut/shortcut.0/Conv} is {@code layer2.shortcut.0})
     * and to the names of its weights ({@code fc1.weight}, {@code onnx::Conv_89}), and {@code fc1} for
     * {@code fc1.weight}.
     */
    public static List<Layer> layers(Graph graph) {
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < graph.nodes().size(); i++) {
            Node node = graph.nodes().get(i);
            List<Weight> weights = graph.weightsOf(node);
            Set<String> aliases = new LinkedHashSet<>();
            LayerFacts.modulePath(node.name()).ifPresent(aliases::add);
            for (Weight w : weights) {
                aliases.add(w.name());
                for (String suffix : List.of(".weight", ".bias")) {
                    if (w.name().endsWith(suffix)) {
                        aliases.add(w.name().substring(0, w.name().length() - suffix.length()));
                    }
                }
            }
            aliases.remove(node.name());
            layers.add(new Layer(new LayerRef(node.name(), List.copyOf(aliases), node.opType(), i + 1), node, weights));
        }
        return layers;
    }

    /** Reports every selector and option of the recipe that does not fit the model. */
    public static void check(Recipe recipe, Model model, String modelName, Consumer<Diagnostic> report) {
        List<Layer> layers = layers(model.graph());
        new Checker(recipe, model.graph(), modelName, layers, report).run();
    }

    private static final class Checker {
        private final Recipe recipe;
        private final Graph graph;
        private final String modelName;
        private final List<Layer> layers;
        private final Consumer<Diagnostic> report;
        /** Problems grouped by where they point and what they say, to name every affected layer in one message. */
        private final Map<String, Problem> problems = new LinkedHashMap<>();

        Checker(Recipe recipe, Graph graph, String modelName, List<Layer> layers, Consumer<Diagnostic> report) {
            this.recipe = recipe;
            this.graph = graph;
            this.modelName = modelName;
            this.layers = layers;
            this.report = report;
        }

        private record Problem(SourceSpan at, String message, String hint, List<String> layers) {}

        void run() {
            for (PassRequest pass : recipe.passes()) {
                if (Schemas.takesSelector(pass.kind())) {
                    checkTerms(pass.selector().include());
                    checkTerms(pass.selector().exclude());
                }
            }
            for (Layer layer : layers) {
                if (!layer.hasWeights()) {
                    continue;
                }
                Overrides.resolve(recipe, layer.ref()).forEach((kind, resolved) ->
                        checkOptions(kind, resolved, layer));
            }
            for (Problem p : problems.values()) {
                String which = p.layers().size() == 1 ? "layer " + p.layers().get(0)
                        : "layers " + String.join(", ", p.layers());
                report.accept(Diagnostic.of(DiagnosticCode.IMPOSSIBLE_FOR_LAYER, recipe.file(), p.at(),
                        p.message().replace("{layers}", which)).withHint(p.hint()));
            }
        }

        private void checkTerms(List<LayerSelector.Term> terms) {
            for (LayerSelector.Term term : terms) {
                if (term instanceof LayerSelector.Term.All) {
                    continue;
                }
                List<Layer> matched = layers.stream().filter(l -> term.matches(l.ref())).toList();
                String written = recipe.file().slice(term.span());
                if (matched.stream().anyMatch(Layer::hasWeights)) {
                    continue;
                }
                List<String> weighted = layers.stream().filter(Layer::hasWeights).map(Layer::displayName).toList();
                Diagnostic d;
                if (matched.isEmpty()) {
                    d = Diagnostic.of(DiagnosticCode.UNMATCHED_SELECTOR, recipe.file(), term.span(),
                            "`" + written + "` matches no layer of " + modelName);
                    List<String> names = new ArrayList<>();
                    for (Layer l : layers) {
                        names.add(l.ref().name());
                        names.addAll(l.ref().aliases());
                        names.add(l.ref().opType());
                    }
                    String bare = term instanceof LayerSelector.Term.OpType o ? o.opType() : written.replace("\"", "");
                    Optional<String> close = Suggestions.closest(bare, names);
                    if (close.isPresent()) {
                        d = d.withHint("did you mean `" + close.get() + "`?");
                    } else {
                        d = d.withHint("`tamp inspect " + modelName + "` lists the layers, numbered as `#N` selects them");
                    }
                } else {
                    String ops = String.join(", ", matched.stream().map(l -> l.ref().opType()).distinct().toList());
                    d = Diagnostic.of(DiagnosticCode.UNMATCHED_SELECTOR, recipe.file(), term.span(),
                            "`" + written + "` selects only layers without weights (" + ops + "), which passes leave alone");
                }
                if (term instanceof LayerSelector.Term.Exact exact) {
                    // A module of the PyTorch model, such as a residual block: its layers are one glob away.
                    String prefix = exact.name() + ".";
                    boolean module = layers.stream().filter(Layer::hasWeights)
                            .anyMatch(l -> l.ref().aliases().stream().anyMatch(a -> a.startsWith(prefix)));
                    if (module) {
                        d = d.withHint("`" + exact.name() + "` is a module; select its layers with `" + exact.name() + ".*`");
                    }
                }
                report.accept(d.withNote(Note.of("layers with weights: " + Suggestions.quotedList(weighted, 12))));
            }
        }

        private void checkOptions(PassKind kind, Overrides.ResolvedPass resolved, Layer layer) {
            Settings s = resolved.settings();
            SourceSpan statement = resolved.from().get(resolved.from().size() - 1).span();
            Optional<int[]> matrix = LayerFacts.weightMatrix(graph, layer.node());
            String op = layer.ref().opType();
            switch (kind) {
                case FACTORIZE -> {
                    String method = s.word("method");
                    if (method.equals("svd")) {
                        if (matrix.isEmpty()) {
                            problem(origin(s, "method", statement), "SVD needs a matrix; {layers} is " + op,
                                    "factorize fully connected or convolution layers", layer);
                        } else {
                            int min = Math.min(matrix.get()[0], matrix.get()[1]);
                            lowestChoice(s, "rank").filter(r -> r > min).ifPresent(r -> problem(origin(s, "rank", statement),
                                    "rank " + fmt(r) + " exceeds min(m, n) of {layers} (" + dims(layer) + ")",
                                    "a rank of at most the smaller side keeps the factorization meaningful", layer));
                        }
                    } else if (!isConv(layer) || kernelArea(layer) <= 1) {
                        problem(origin(s, "method", statement), "`" + method + "` factorizes k×k convolutions with k > 1; "
                                + "{layers} is " + describe(layer), "use `method svd` for fully connected layers", layer);
                    }
                }
                case STRUCTURE -> {
                    if (matrix.isEmpty() || isConv(layer)) {
                        problem(origin(s, "method", statement), "structured matrices replace fully connected layers; "
                                + "{layers} is " + describe(layer), "select Gemm or MatMul layers", layer);
                    } else if (s.word("method").equals("circulant") && matrix.get()[0] != matrix.get()[1]) {
                        problem(origin(s, "method", statement), "a circulant matrix is square, but {layers} is "
                                + dims(layer), "use `method block-circulant` for rectangular layers", layer);
                    } else if (s.word("method").equals("block-circulant")) {
                        int min = Math.min(matrix.get()[0], matrix.get()[1]);
                        lowestChoice(s, "block").filter(b -> b > min).ifPresent(b -> problem(origin(s, "block", statement),
                                "block " + fmt(b) + " exceeds the smaller side of {layers} (" + dims(layer) + ")",
                                "choose a block of at most " + min, layer));
                    }
                }
                case COMPACT -> {
                    if (!isConv(layer) || kernelArea(layer) <= 1) {
                        problem(origin(s, "method", statement), "compact filters replace k×k convolutions with k > 1; "
                                + "{layers} is " + describe(layer), "select convolutions such as `type Conv`", layer);
                    }
                }
                case HASH -> {
                    long weights = layer.weights().get(0).elementCount();
                    s.get("buckets").filter(b -> b instanceof Setting.Num n && n.value() >= 1 && n.value() == Math.rint(n.value()))
                            .map(b -> ((Setting.Num) b).value())
                            .filter(b -> b >= weights)
                            .ifPresent(b -> problem(origin(s, "buckets", statement), fmt(b) + " buckets are not fewer than "
                                    + "the weights of {layers}", "a hashed table is smaller than the layer it replaces", layer));
                }
                case PRUNE -> {
                    String method = s.word("method");
                    if (method.equals("l1-filter") || method.equals("data-free")) {
                        checkStructuredPruning(s, statement, layer, method);
                    }
                }
                default -> { }
            }
        }

        /** Removing filters or neurons changes channels downstream: every consumer must be rewritable. */
        private void checkStructuredPruning(Settings s, SourceSpan statement, Layer layer, String method) {
            if (method.equals("data-free") && !layer.ref().opType().equals("Gemm") && !layer.ref().opType().equals("MatMul")) {
                problem(origin(s, "method", statement), "data-free neuron merging works on fully connected layers; "
                        + "{layers} is " + describe(layer), "select Gemm or MatMul layers", layer);
                return;
            }
            if (LayerFacts.reachesOutput(graph, layer.node())) {
                problem(origin(s, "method", statement), "removing outputs of {layers} would change the model's output",
                        "exclude the last layer: `except " + layer.displayName() + "`", layer);
                return;
            }
            List<String> carriers = LayerFacts.channelCarriers(graph, layer.node());
            for (Node add : LayerFacts.residualAddsFed(graph, layer.node())) {
                Optional<String> partner = add.inputs().stream()
                        .filter(i -> !i.isEmpty() && !graph.isWeight(i) && !carriers.contains(i)).findFirst();
                Optional<Layer> source = partner.flatMap(t -> LayerFacts.channelSource(graph, t))
                        .flatMap(n -> layers.stream().filter(l -> l.node() == n && l.hasWeights()).findFirst());
                Overrides.ResolvedPass partnerPrune = source
                        .map(l -> Overrides.resolve(recipe, l.ref()).get(PassKind.PRUNE)).orElse(null);
                if (partnerPrune == null || !partnerPrune.settings().word("method").equals(method)) {
                    String other = source.map(Layer::displayName)
                            .orElse(partner.flatMap(graph::producerOf).map(Node::name).orElse("the model's input"));
                    problem(origin(s, "method", statement), "removing filters of {layers} would change the channels "
                            + "entering the residual `" + add.name() + "`, whose other input comes from `" + other
                            + "` and keeps them", "prune the layers on both sides of the Add together, or exclude this one",
                            layer);
                    return;
                }
            }
        }

        private void problem(SourceSpan at, String message, String hint, Layer layer) {
            String key = at.startOffset() + ":" + message;
            problems.computeIfAbsent(key, k -> new Problem(at, message, hint, new ArrayList<>()))
                    .layers().add("`" + layer.displayName() + "`");
        }

        private static SourceSpan origin(Settings s, String option, SourceSpan fallback) {
            return s.get(option).flatMap(Setting::origin).orElse(fallback);
        }

        /** An explicit number, or the lowest value `auto` may take; empty when unbounded or absent. */
        private static Optional<Double> lowestChoice(Settings s, String option) {
            Optional<Setting> setting = s.get(option);
            if (setting.isEmpty()) {
                return Optional.empty();
            }
            if (setting.get() instanceof Setting.Num n) {
                return Optional.of(n.value());
            }
            if (setting.get() instanceof Setting.Auto a) {
                if (a.low().isPresent()) {
                    return Optional.of(a.low().getAsDouble());
                }
                return a.choices().stream().min(Double::compare);
            }
            return Optional.empty();
        }

        private static boolean isConv(Layer layer) {
            return layer.ref().opType().equals("Conv");
        }

        private static long kernelArea(Layer layer) {
            int[] dims = layer.weights().get(0).representation().dims();
            long area = 1;
            for (int i = 2; i < dims.length; i++) {
                area *= dims[i];
            }
            return area;
        }

        private String dims(Layer layer) {
            return LayerFacts.weightMatrix(graph, layer.node()).map(m -> m[0] + " × " + m[1]).orElse(describe(layer));
        }

        private static String describe(Layer layer) {
            int[] dims = layer.weights().get(0).representation().dims();
            StringBuilder s = new StringBuilder(layer.ref().opType());
            if (layer.ref().opType().equals("Conv") && dims.length == 4) {
                s.append(' ').append(dims[2]).append('×').append(dims[3]);
            }
            return s.toString();
        }

        private static String fmt(double v) {
            return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
        }
    }
}
