package dev.tamp.compiler.schema;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ast.Unit.Dimension;
import dev.tamp.compiler.diag.DiagnosticCode;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The vocabulary of the language: every statement's options, methods, types, defaults and meaning, declared once.
 * The checker, the docs tests and editor tooling all read it from here.
 */
public final class Schemas {
    private Schemas() {}

    private static final double INF = Double.POSITIVE_INFINITY;

    // ---- Value types --------------------------------------------------------------------------------------------

    static ValueType fraction(double min, boolean minIncl, double max, boolean maxIncl) {
        return new ValueType.Number(Optional.of(Dimension.FRACTION), true, false, min, minIncl, max, maxIncl);
    }

    static ValueType whole(double min, double max) {
        return new ValueType.Number(Optional.empty(), true, true, min, true, max, true);
    }

    static ValueType real(double min, boolean minIncl, double max) {
        return new ValueType.Number(Optional.empty(), true, false, min, minIncl, max, true);
    }

    static ValueType measure(Dimension dimension) {
        return new ValueType.Number(Optional.of(dimension), false, false, 0, false, INF, false);
    }

    static ValueType epochs() {
        return new ValueType.Number(Optional.of(Dimension.EPOCHS), true, false, 0, false, 10_000, true);
    }

    static ValueType bits(int min, int max) {
        return new ValueType.Number(Optional.of(Dimension.BITS), true, true, min, true, max, true);
    }

    static ValueType choice(String... words) {
        return new ValueType.Choice(List.of(words));
    }

    static ValueType flag() {
        return new ValueType.Flag();
    }

    static ValueType oneOf(ValueType... alternatives) {
        return new ValueType.OneOf(List.of(alternatives));
    }

    // ---- Java names for generated code --------------------------------------------------------------------------

    private static final Set<String> JAVA_KEYWORDS = Set.of(
            "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const", "continue",
            "default", "do", "double", "else", "enum", "extends", "final", "finally", "float", "for", "goto", "if",
            "implements", "import", "instanceof", "int", "interface", "long", "native", "new", "package", "private",
            "protected", "public", "return", "short", "static", "strictfp", "super", "switch", "synchronized", "this",
            "throw", "throws", "transient", "try", "void", "volatile", "while", "true", "false", "null", "var",
            "record", "yield", "sealed", "permits", "non-sealed", "_");
    private static final Pattern JAVA_IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");

    static Optional<String> javaIdentifierProblem(String text) {
        if (!JAVA_IDENTIFIER.matcher(text).matches()) {
            return Optional.of("`" + text + "` is not a Java identifier (letters, digits, `_` or `$`, not starting with a digit)");
        }
        if (JAVA_KEYWORDS.contains(text)) {
            return Optional.of("`" + text + "` is a reserved word in Java");
        }
        return Optional.empty();
    }

    static Optional<String> javaPackageProblem(String text) {
        if (text.isEmpty()) {
            return Optional.of("the package name is empty");
        }
        for (String part : text.split("\\.", -1)) {
            Optional<String> problem = javaIdentifierProblem(part);
            if (problem.isPresent()) {
                return Optional.of("in package `" + text + "`: " + problem.get());
            }
        }
        return Optional.empty();
    }

    static Optional<String> nonEmpty(String text) {
        return text.isBlank() ? Optional.of("the text is empty") : Optional.empty();
    }

    // ---- Pass statements ----------------------------------------------------------------------------------------

    public static final OptionSchema PRUNE = OptionSchema.builder(
                    "Remove weights (unstructured, N:M, block) or whole filters and neurons.")
            .option("method", choice("magnitude", "obd", "obs", "l1-filter", "data-free"), "magnitude",
                    "How to choose what goes: smallest magnitude; optimal brain damage (second-order saliency from a "
                    + "diagonal Fisher estimate, LeCun et al. 1990); layer-wise optimal brain surgeon, which also "
                    + "updates the remaining weights (Dong et al. 2017); whole filters by L1 norm, rewriting their "
                    + "consumers (Li et al. 2017); or data-free merging of similar neurons (Srinivas & Babu 2015).")
            .tunable("sparsity", fraction(0, true, 1, false), "auto",
                    "Fraction of weights removed (of filters for `l1-filter`, of neurons for `data-free`).")
            .option("pattern", oneOf(choice("unstructured"), new ValueType.Ratio(), new ValueType.Shape(2)),
                    "unstructured",
                    "Which zeros are allowed: any (`unstructured`), N of every M consecutive weights kept (`2:4`), "
                    + "or whole blocks (`4x4`).")
            .forMethods("magnitude", "obd", "obs")
            .option("scope", choice("layer", "global"), "layer",
                    "`layer`: each layer reaches the sparsity; `global`: one threshold across the selected layers.")
            .forMethods("magnitude")
            .option("schedule", choice("oneshot", "gradual", "iterative"), "oneshot",
                    "`oneshot`: prune once; `gradual`: cubic ramp during fine-tuning (Zhu & Gupta 2017); "
                    + "`iterative`: alternate pruning and fine-tuning in `steps` rounds. The last two need `finetune`.")
            .option("initial", fraction(0, true, 1, false), "0 %",
                    "Sparsity at the start of a `gradual` ramp.")
            .option("span", epochs(), null,
                    "Length of the `gradual` ramp; by default the whole fine-tuning run.")
            .option("steps", whole(1, 100), "3", "Rounds of an `iterative` schedule.")
            .option("samples", whole(1, 1_000_000), "1024",
                    "Training images used to estimate second-order saliency or input statistics.")
            .forMethods("obd", "obs")
            .build();

    public static final OptionSchema QUANTIZE = OptionSchema.builder(
                    "Store weights in fewer bits: uniform affine, k-means weight sharing, product quantization, "
                    + "binary or ternary.")
            .option("method", choice("uniform", "kmeans", "product", "binary", "ternary"), "uniform",
                    "`uniform`: affine integers with scales; `kmeans`: a shared codebook of 2^bits centroids per layer "
                    + "(Deep Compression); `product`: codebooks over sub-vectors (Gong et al. 2014); `binary`: "
                    + "sign times a per-channel scale (XNOR-Net); `ternary`: {-1, 0, +1} times a scale.")
            .tunable("bits", bits(1, 8), "8",
                    "Bits per weight (per index for `kmeans` and `product`). Not for `binary` (1) or `ternary` (2).")
            .forMethods("uniform", "kmeans", "product")
            .option("granularity", choice("per-tensor", "per-channel"), "per-channel",
                    "One scale for the whole tensor or one per output channel.")
            .forMethods("uniform", "binary", "ternary")
            .option("symmetric", flag(), "yes", "Zero point fixed at 0 (`yes`) or fitted (`no`).")
            .forMethods("uniform")
            .option("init", choice("linear", "density", "random"), "linear",
                    "Initial centroids: spread evenly over the weight range (best for accuracy in Han et al. 2016), "
                    + "by the weights' distribution, or sampled.")
            .forMethods("kmeans", "product")
            .option("iterations", whole(1, 10_000), "20",
                    "Lloyd iterations (20, as the Deep Compression peer ran); the error never rises above the initial one.")
            .forMethods("kmeans", "product")
            .option("subvector", whole(1, 64), "4", "Length of the sub-vectors that share a codeword.")
            .forMethods("product")
            .build();

    public static final OptionSchema HASH = OptionSchema.builder(
                    "Tie weights through a hash into a small table of shared values (HashedNets, Chen et al. 2015).")
            .requiredTunable("buckets", oneOf(whole(1, 1L << 31), fraction(0, false, 1, true)),
                    "Size of the shared table: a count (a whole number), or a fraction of the layer's weights "
                    + "(`12.5 %`, `0.125`).")
            .build();

    public static final OptionSchema FACTORIZE = OptionSchema.builder(
                    "Replace a layer by a product of smaller ones: truncated SVD for fully connected layers, spatial "
                    + "separation (k×k into k×1 and 1×k, Jaderberg et al. 2014) or Tucker-2 for convolutions.")
            .option("method", choice("svd", "spatial", "tucker"), "svd", "The decomposition.")
            .tunable("rank", whole(1, 1 << 20), "auto",
                    "Rank kept; by default the planner chooses (`auto`) unless `energy` is given.")
            .option("energy", fraction(0, false, 1, true), null,
                    "Keep the smallest rank whose singular values retain this fraction of the squared Frobenius norm.")
            .forMethods("svd", "tucker")
            .conflict("rank", "energy")
            .build();

    public static final OptionSchema STRUCTURE = OptionSchema.builder(
                    "Replace a fully connected layer by a structured matrix multiplied through the FFT: circulant "
                    + "(square layers, Cheng et al. 2015) or block-circulant (CirCNN, Ding et al. 2017).")
            .option("method", choice("circulant", "block-circulant"), "circulant", "The structure.")
            .requiredTunable("block", whole(2, 1 << 16), "Side of each circulant block.")
            .forMethods("block-circulant")
            .build();

    public static final OptionSchema COMPACT = OptionSchema.builder(
                    "Replace a k×k convolution by compact filters fitted to its outputs by least squares.")
            .option("method", choice("depthwise-separable", "bottleneck"), "depthwise-separable",
                    "A depthwise k×k followed by a pointwise 1×1, or a narrower 1×1 → k×k → 1×1 bottleneck.")
            .tunable("width", oneOf(whole(1, 1 << 16), fraction(0, false, 1, true)), "50 %",
                    "Channels inside the bottleneck: a count or a fraction of the input channels.")
            .forMethods("bottleneck")
            .option("samples", whole(1, 1_000_000), "1024", "Training images used for the least-squares fit.")
            .build();

    public static final OptionSchema REGULARIZE = OptionSchema.builder(
                    "Add a sparsity-inducing term to the fine-tuning objective; pruning then cuts what it drove to zero.")
            .option("method", choice("l1", "group-lasso", "soft-sharing"), "l1",
                    "L1 on weights; group lasso over filters, channels or filter shapes (Wen et al. 2016); or the "
                    + "soft weight-sharing mixture prior (Ullrich et al. 2017).")
            .option("strength", real(0, false, INF), "1e-4",
                    "Weight λ of the term, summed over the layer's weights (for `soft-sharing` try 1e-6 to 1e-5).")
            .option("groups", choice("filters", "channels", "shapes"), "filters",
                    "The groups of the group lasso: output filters, input channels, or filter shapes (one input "
                    + "channel and kernel tap across the filters).")
            .forMethods("group-lasso")
            .option("components", whole(2, 256), "16",
                    "Mixture components of the prior, the zero component included (16: 15 shared values).")
            .forMethods("soft-sharing")
            .build();

    public static final OptionSchema ENCODE = OptionSchema.builder(
                    "Entropy-code the stored streams (codebook indices, relative sparse indices).")
            .option("method", choice("huffman"), "huffman", "Canonical Huffman coding (Deep Compression).")
            .build();

    public static final OptionSchema FINETUNE = OptionSchema.builder(
                    "Retrain the compressed model on the recipe's data, keeping every compressed representation intact.")
            .option("epochs", epochs(), "1", "Passes over the training split.")
            .option("optimizer", choice("sgd", "adam"), "adam", "The optimizer.")
            .option("lr", real(0, false, INF), "1e-3", "Initial learning rate.")
            .option("momentum", fraction(0, true, 1, false), "0.9", "Momentum for `sgd`.")
            .option("weight-decay", real(0, true, INF), "0", "L2 weight decay.")
            .option("schedule", choice("constant", "step", "cosine"), "cosine", "Learning-rate schedule.")
            .option("step", epochs(), "1 epochs", "Interval of a `step` schedule.")
            .option("gamma", real(0, false, 1), "0.1", "Factor of a `step` schedule.")
            .option("batch", whole(1, 65_536), "128", "Mini-batch size.")
            .build();

    public static final OptionSchema DISTILL = OptionSchema.builder(
                    "Train with a teacher's soft targets (Hinton et al. 2015) while fine-tuning.")
            .option("teacher", oneOf(choice("original"), new ValueType.Text("a path to an ONNX model", Schemas::nonEmpty, DiagnosticCode.VALUE_OUT_OF_RANGE)),
                    "original", "The uncompressed model (`original`) or another ONNX file.")
            .option("temperature", real(0, false, 100), "4", "Softmax temperature T of the soft targets.")
            .option("weight", fraction(0, true, 1, true), "0.5", "Weight of the soft loss; the hard loss gets 1 − weight.")
            .build();

    // ---- Other recipe statements --------------------------------------------------------------------------------

    public static final OptionSchema DATA = OptionSchema.builder("The data set for calibration, fine-tuning and evaluation.")
            .option("path", new ValueType.Text("a path", Schemas::nonEmpty, DiagnosticCode.VALUE_OUT_OF_RANGE), null,
                    "A directory with IDX files (`train-*` and `t10k-*`), relative to the recipe.")
            .option("format", choice("idx"), "idx", "File format: IDX (MNIST family), gzipped or raw.")
            .option("validation", oneOf(whole(1, 1L << 31), fraction(0, false, 1, false)), "10 %",
                    "Held out of the training files for sensitivity analysis and the accuracy budget.")
            .option("scale", oneOf(real(0, false, INF)), "1/255", "Multiplies each raw pixel value.")
            .option("mean", real(-INF, false, INF), "0", "Subtracted after scaling.")
            .option("std", real(0, false, INF), "1", "Divides after subtracting the mean.")
            .build();

    public static final OptionSchema EMIT_JAVA = OptionSchema.builder("Generate Java source and a weights file.")
            .option("package", new ValueType.Text("a Java package name", Schemas::javaPackageProblem, DiagnosticCode.INVALID_JAVA_NAME), "\"tamp.generated\"",
                    "Package of the generated classes.")
            .option("class", new ValueType.Text("a Java class name", Schemas::javaIdentifierProblem, DiagnosticCode.INVALID_JAVA_NAME), null,
                    "Name of the model class; by default the recipe's name in UpperCamelCase.")
            .option("simd", choice("off", "optional"), "optional",
                    "`optional`: also emit a JDK Vector API variant, chosen at load time when available, with the "
                    + "scalar code as fallback; `off`: scalar only (smaller, for Android).")
            .build();

    // ---- Target specs -------------------------------------------------------------------------------------------

    static final OptionSchema PEAK = OptionSchema.builder("Peak arithmetic throughput per data type.")
            .required("fp32", measure(Dimension.THROUGHPUT), "Single-precision floating point.")
            .option("int8", measure(Dimension.THROUGHPUT), null, "8-bit integer multiply-accumulate.")
            .option("fp16", measure(Dimension.THROUGHPUT), null, "Half-precision floating point.")
            .build();

    static final OptionSchema MEMORY = OptionSchema.builder("The memory system.")
            .required("bandwidth", measure(Dimension.BANDWIDTH), "Sustained DRAM bandwidth.")
            .option("l1", measure(Dimension.SIZE), null, "L1 data cache per core.")
            .option("l2", measure(Dimension.SIZE), null, "L2 cache.")
            .option("l3", measure(Dimension.SIZE), null, "L3 or system cache.")
            .build();

    static final OptionSchema LIMITS = OptionSchema.builder("What the application may use.")
            .required("ram", measure(Dimension.SIZE), "Memory for weights and activations at run time.")
            .required("storage", measure(Dimension.SIZE), "Space for the stored weights file.")
            .build();

    public static final OptionSchema TARGET = OptionSchema.builder("A hardware target: what the device can do and hold.")
            .option("cpu", new ValueType.Text("a description", Schemas::nonEmpty, DiagnosticCode.VALUE_OUT_OF_RANGE), null, "The processor, for reports.")
            .required("cores", whole(1, 1024), "Cores the model may use.")
            .option("frequency", measure(Dimension.FREQUENCY), null, "Clock of the cores that run the model.")
            .required("simd", new ValueType.Number(Optional.of(Dimension.BITS), false, true, 0, true, 2048, true),
                    "SIMD register width (`0 bit` for none).")
            .required("int8-dot", flag(), "Whether the cores have a fast int8 dot product (e.g. Arm `sdot`, x86 VNNI).")
            .option("fp16", flag(), "no", "Whether half-precision arithmetic is native.")
            .option("runtime", choice("hotspot", "art"), "hotspot",
                    "The JVM: HotSpot (the JDK Vector API may be used) or Android's ART (scalar code only).")
            .required("peak", new ValueType.Group(PEAK), "Peak throughput.")
            .required("memory", new ValueType.Group(MEMORY), "Memory system.")
            .required("limits", new ValueType.Group(LIMITS), "Resource limits.")
            .build();

    // ---- Budgets ------------------------------------------------------------------------------------------------

    /** A budget metric: what it measures, whether it is an upper or lower bound, and whether baseline applies. */
    public record BudgetMetric(String name, Dimension dimension, boolean upperBound, boolean baselineAllowed, String doc) {}

    public static final Map<String, BudgetMetric> BUDGETS = Map.of(
            "size", new BudgetMetric("size", Dimension.SIZE, true, false,
                    "Stored weights: the bytes of the weights file, after encoding."),
            "memory", new BudgetMetric("memory", Dimension.SIZE, true, false,
                    "Peak RAM while running: weights as held in memory plus the largest live activations."),
            "latency", new BudgetMetric("latency", Dimension.TIME, true, false,
                    "Time for one input (batch 1) on the target, predicted by the cost model."),
            "accuracy", new BudgetMetric("accuracy", Dimension.FRACTION, false, true,
                    "Top-1 accuracy on the validation split, absolute or relative to the uncompressed `baseline` "
                    + "(`baseline - 0.5 %` means at most half a point lower)."));

    /** Budget metrics in the order docs list them. */
    public static final List<String> BUDGET_ORDER = List.of("size", "memory", "latency", "accuracy");

    private static final Map<PassKind, OptionSchema> PASSES = new EnumMap<>(Map.of(
            PassKind.PRUNE, PRUNE,
            PassKind.QUANTIZE, QUANTIZE,
            PassKind.HASH, HASH,
            PassKind.FACTORIZE, FACTORIZE,
            PassKind.STRUCTURE, STRUCTURE,
            PassKind.COMPACT, COMPACT,
            PassKind.REGULARIZE, REGULARIZE,
            PassKind.ENCODE, ENCODE,
            PassKind.FINETUNE, FINETUNE,
            PassKind.DISTILL, DISTILL));

    public static OptionSchema pass(PassKind kind) {
        return PASSES.get(kind);
    }

    /** Whether statements of this family apply to selected layers (otherwise to the whole model). */
    public static boolean takesSelector(PassKind kind) {
        return kind != PassKind.FINETUNE && kind != PassKind.DISTILL;
    }

    /** Languages {@code emit} can generate. */
    public static final Map<String, OptionSchema> EMIT = Map.of("java", EMIT_JAVA);
}
