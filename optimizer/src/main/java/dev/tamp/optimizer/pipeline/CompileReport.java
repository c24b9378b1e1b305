package dev.tamp.optimizer.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.report.LayerRow;
import dev.tamp.model.report.ModelInspector;
import dev.tamp.optimizer.data.Activations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * What {@code tamp compile} did, per layer of the original model: the representation each of its weights ended in,
 * parameters, stored and resident bytes and MACs per image before and after; the passes with their counters and
 * times; and the accuracy before and after on the recipe's test images. A layer a structural pass replaced by parts
 * ({@code L::part}) is one row, its parts summed and their representations listed. {@code weightsFileBytes} is the
 * size of the weights container written beside it (docs/format.md): the rows' bytes plus names, shapes and
 * checksums, and every weight without a layer row (biases included).
 */
public record CompileReport(String recipe, String model, List<Row> rows, List<Pipeline.PassRun> passes,
        OptionalDouble accuracyBefore, OptionalDouble accuracyAfter, int evaluatedImages, long weightsFileBytes,
        Optional<GeneratedCode> code, Optional<Confusion> confusion, String target, List<BudgetCheck> budgets,
        List<FrontierPoint> frontier) {

    /** A report without a target, budgets or a planner's frontier (added by {@link #explained}). */
    public CompileReport(String recipe, String model, List<Row> rows, List<Pipeline.PassRun> passes,
            OptionalDouble accuracyBefore, OptionalDouble accuracyAfter, int evaluatedImages, long weightsFileBytes,
            Optional<GeneratedCode> code, Optional<Confusion> confusion) {
        this(recipe, model, rows, passes, accuracyBefore, accuracyAfter, evaluatedImages, weightsFileBytes, code,
                confusion, "", List.of(), List.of());
    }

    /** Whether a budget holds on the compiled model. */
    public enum Verdict { HOLDS, MISSES, NOT_MEASURED }

    /**
     * One budget of the recipe against the compiled model: {@code bound} in canonical units (bytes, seconds, an
     * accuracy fraction, the baseline already added), {@code planned} what the planner expected (NaN without it),
     * {@code value} the figure the verdict is on, and {@code basis} what that figure is ("weights file", "predicted on
     * raspberry-pi4", ...).
     */
    public record BudgetCheck(String metric, String comparison, double bound, double planned, double value,
            String basis, Verdict verdict, int line) {}

    /**
     * A point of the planner's size/accuracy frontier: a plan solved at one size capacity with its predicted
     * validation accuracy, or ({@code chosen}) the plan taken, measured.
     */
    public record FrontierPoint(long size, double accuracy, boolean chosen) {}

    /**
     * The compressed model's confusion matrix on the test images: {@code counts[label * classes + predicted]}.
     */
    public record Confusion(int classes, int[] counts) {
        public Confusion {
            if (counts.length != classes * classes) {
                throw new IllegalArgumentException("counts must be classes x classes");
            }
            counts = counts.clone();
        }

        /** From each image's label and prediction. */
        public static Confusion of(int classes, int[] labels, int[] predictions) {
            int[] counts = new int[classes * classes];
            for (int i = 0; i < labels.length; i++) {
                counts[labels[i] * classes + predictions[i]]++;
            }
            return new Confusion(classes, counts);
        }

        public int count(int label, int predicted) {
            return counts[label * classes + predicted];
        }
    }

    /**
     * The Java {@code tamp compile} generated and how it was verified: compiled in memory with {@code javac --release
     * 8 -Werror}, loaded with the weights file, and run on {@code inputs} inputs ({@code inputsFrom} says which)
     * beside the reference executor on the compressed model. {@code correct} is how many of them the generated code
     * classifies as labelled ({@code -1} without labels).
     */
    public record GeneratedCode(String className, String sourceFile, long sourceBytes, long classBytes, String simd,
            String inputsFrom, int inputs, double maxAbsDiff, int argmaxAgreement, int correct) {}

    /**
     * One layer of the original model that has weights. {@code outputError} is the relative L2 distance between
     * the layer's outputs in the original and the compressed model on the same images (errors of earlier layers
     * included, as the layer sees them), NaN when not measured or when the output's shape changed.
     */
    public record Row(String layer, String op, String representation, long paramsBefore, long paramsAfter,
            long bytesBefore, long bytesAfter, long residentAfter, long macsBefore, long macsAfter,
            double outputError, String representationBefore, double secondsBefore, double secondsAfter,
            double measuredSeconds, double sensitivity, String why) {

        /**
         * A row without latencies, sensitivity or a note: {@code secondsBefore}/{@code secondsAfter} are the cost
         * model's predictions on the recipe's target, {@code measuredSeconds} a timing of the generated code and
         * {@code sensitivity} the planner's validation loss change with this layer alone compressed; NaN when not
         * known. {@code why} says why the layer ended in its representation.
         */
        public Row(String layer, String op, String representation, long paramsBefore, long paramsAfter,
                long bytesBefore, long bytesAfter, long residentAfter, long macsBefore, long macsAfter,
                double outputError) {
            this(layer, op, representation, paramsBefore, paramsAfter, bytesBefore, bytesAfter, residentAfter,
                    macsBefore, macsAfter, outputError, "dense", Double.NaN, Double.NaN, Double.NaN, Double.NaN, "");
        }

        /** This row with the cost model's predictions, the planner's sensitivity and the note. */
        public Row explained(double before, double after, double sensitivity, String why) {
            return new Row(layer, op, representation, paramsBefore, paramsAfter, bytesBefore, bytesAfter,
                    residentAfter, macsBefore, macsAfter, outputError, representationBefore, before, after,
                    measuredSeconds, sensitivity, why);
        }

        /** This row with a measured latency of its generated kernel (seconds per input). */
        public Row measured(double seconds) {
            return new Row(layer, op, representation, paramsBefore, paramsAfter, bytesBefore, bytesAfter,
                    residentAfter, macsBefore, macsAfter, outputError, representationBefore, secondsBefore,
                    secondsAfter, seconds, sensitivity, why);
        }

        private Row withOutputError(double error) {
            return new Row(layer, op, representation, paramsBefore, paramsAfter, bytesBefore, bytesAfter,
                    residentAfter, macsBefore, macsAfter, error, representationBefore, secondsBefore, secondsAfter,
                    measuredSeconds, sensitivity, why);
        }
    }

    public CompileReport {
        rows = List.copyOf(rows);
        passes = List.copyOf(passes);
        budgets = List.copyOf(budgets);
        frontier = List.copyOf(frontier);
    }

    /** This report with the target's name, explained rows, the budgets' verdicts and the planner's frontier. */
    public CompileReport explained(String target, List<Row> rows, List<BudgetCheck> budgets,
            List<FrontierPoint> frontier) {
        return new CompileReport(recipe, model, rows, passes, accuracyBefore, accuracyAfter, evaluatedImages,
                weightsFileBytes, code, confusion, target, budgets, frontier);
    }

    /** Whether any row has a figure: a target's predicted latency, a measured one, a planner's sensitivity. */
    public boolean hasPredictedLatency() {
        return rows.stream().anyMatch(r -> !Double.isNaN(r.secondsAfter()));
    }

    public boolean hasMeasuredLatency() {
        return rows.stream().anyMatch(r -> !Double.isNaN(r.measuredSeconds()));
    }

    public boolean hasSensitivity() {
        return rows.stream().anyMatch(r -> !Double.isNaN(r.sensitivity()));
    }

    /** The rows for a model before and after the pipeline, without output errors. */
    public static List<Row> rows(Model before, Model after) {
        return rows(before, after, Optional.empty(), 1);
    }

    /** The rows, with each layer's output error measured on {@code probe} (a batch of model inputs) if given. */
    public static List<Row> rows(Model before, Model after, Optional<Tensor> probe, int threads) {
        return rows(before, after, probe, threads, Map.of());
    }

    /**
     * The rows, with {@code residentBytes} giving the bytes a weight keeps in memory where the generated code decides it
     * (a compressed weight it decodes at load into float rows is bigger in memory than the representation); other
     * weights' resident bytes come from {@link Costs#residentBytes}.
     */
    public static List<Row> rows(Model before, Model after, Optional<Tensor> probe, int threads,
            Map<String, Long> residentBytes) {
        Map<String, LayerRow> original = new LinkedHashMap<>();
        for (LayerRow r : ModelInspector.inspect("before", before).rows()) {
            if (!r.weights().isEmpty()) {
                original.put(r.name(), r);
            }
        }
        Map<String, List<Node>> parts = new LinkedHashMap<>();
        Map<String, LayerRow> afterRows = new LinkedHashMap<>();
        Graph g = after.graph();
        for (LayerRow r : ModelInspector.inspect("after", after).rows()) {
            afterRows.put(r.name(), r);
            String origin = origin(r.name());
            if (original.containsKey(origin)) {
                parts.computeIfAbsent(origin, k -> new ArrayList<>()).add(g.node(r.name()).orElseThrow());
            }
        }
        List<Row> rows = new ArrayList<>();
        for (LayerRow o : original.values()) {
            long params = 0;
            long bytes = 0;
            long resident = 0;
            long macs = 0;
            List<String> kinds = new ArrayList<>();
            for (Node n : parts.getOrDefault(o.name(), List.of())) {
                LayerRow a = afterRows.get(n.name());
                params += a.params();
                List<Weight> weights = g.weightsOf(n);
                long nodeMacs = a.macs();
                for (int i = 0; i < weights.size(); i++) {
                    Weight w = weights.get(i);
                    bytes += w.representation().storedBytes();
                    resident += residentBytes.containsKey(w.name()) ? residentBytes.get(w.name())
                            : Costs.residentBytes(w.representation());
                    // The layer's MACs come from its main weight (input 1); biases add no multiplications.
                    if (n.inputs().size() > 1 && w.name().equals(n.input(1))) {
                        nodeMacs = Costs.macs(a.macs(), w.representation());
                        String kind = describe(w.representation());
                        if (!kinds.contains(kind)) {
                            kinds.add(kind);
                        }
                    }
                }
                macs += nodeMacs;
            }
            String representation = parts.containsKey(o.name()) ? String.join(", ", kinds) : "removed";
            rows.add(new Row(o.name(), o.opType(), representation, o.params(), params, o.weightBytes(), bytes,
                    resident, o.macs(), macs, Double.NaN, mainKind(before.graph(), o.name()), Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, ""));
        }
        return probe.map(batch -> withOutputErrors(rows, before, after, batch, threads)).orElse(rows);
    }

    private static List<Row> withOutputErrors(List<Row> rows, Model before, Model after, Tensor batch, int threads) {
        // A structural pass makes its last part write the replaced layer's output, so the names still match.
        List<String> names = new ArrayList<>();
        for (Row r : rows) {
            String out = before.graph().node(r.layer()).orElseThrow().output(0);
            if (after.graph().values().containsKey(out)) {
                names.add(out);
            }
        }
        Map<String, Tensor> a = Activations.capture(before.graph(), batch, names, threads);
        Map<String, Tensor> b = Activations.capture(after.graph(), batch, names, threads);
        List<Row> result = new ArrayList<>();
        for (Row r : rows) {
            String out = before.graph().node(r.layer()).orElseThrow().output(0);
            double error = Double.NaN;
            if (a.containsKey(out) && java.util.Arrays.equals(a.get(out).shape(), b.get(out).shape())) {
                error = relativeError(a.get(out).floats(), b.get(out).floats());
            }
            result.add(r.withOutputError(error));
        }
        return result;
    }

    private static double relativeError(float[] reference, float[] other) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < reference.length; i++) {
            double d = (double) other[i] - reference[i];
            diff += d * d;
            norm += (double) reference[i] * reference[i];
        }
        return norm == 0 ? (diff == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(diff / norm);
    }

    /** The kind of a node's main weight (input 1) in {@code g}: what the layer started as. */
    private static String mainKind(Graph g, String node) {
        Node n = g.node(node).orElseThrow();
        return g.weightsOf(n).stream().filter(w -> n.inputs().size() > 1 && w.name().equals(n.input(1)))
                .map(w -> describe(w.representation())).findFirst().orElse("dense");
    }

    /** The representation's kind, with what an entropy coder wraps: {@code sparse-codebook+huffman}. */
    private static String describe(dev.tamp.model.ir.Representation r) {
        return r instanceof dev.tamp.model.ir.HuffmanCoded coded ? describe(coded.inner()) + "+huffman" : r.kind();
    }

    private static String origin(String nodeName) {
        int cut = nodeName.indexOf("::");
        return cut < 0 ? nodeName : nodeName.substring(0, cut);
    }

    public long bytesBefore() {
        return rows.stream().mapToLong(Row::bytesBefore).sum();
    }

    public long bytesAfter() {
        return rows.stream().mapToLong(Row::bytesAfter).sum();
    }

    public long macsBefore() {
        return rows.stream().mapToLong(Row::macsBefore).sum();
    }

    public long macsAfter() {
        return rows.stream().mapToLong(Row::macsAfter).sum();
    }

    /**
     * The report as text; with {@code times}, each pass's wall time too (left out of the files {@code tamp compile}
     * writes, which are byte-identical for the same inputs and seed).
     */
    public String renderText(boolean times) {
        StringBuilder sb = new StringBuilder();
        sb.append("recipe ").append(recipe).append(" on ").append(model)
                .append(target.isEmpty() ? "" : ", target " + target).append('\n');
        boolean predicted = hasPredictedLatency();
        boolean measured = hasMeasuredLatency();
        boolean sensitivity = hasSensitivity();
        List<String[]> cells = new ArrayList<>();
        cells.add(extend(new String[] {"layer", "op", "representation", "params", "bytes before", "bytes after",
            "resident", "ratio", "MACs before", "MACs after", "output err"}, predicted ? "predicted" : null,
                measured ? "measured" : null, sensitivity ? "Δloss" : null));
        for (Row r : rows) {
            cells.add(extend(new String[] {r.layer(), r.op(), r.representation(), count(r.paramsAfter()),
                count(r.bytesBefore()), count(r.bytesAfter()), count(r.residentAfter()),
                ratio(r.bytesBefore(), r.bytesAfter()), count(r.macsBefore()), count(r.macsAfter()),
                Double.isNaN(r.outputError()) ? "-" : String.format(Locale.ROOT, "%.2f %%", 100 * r.outputError())},
                    predicted ? seconds(r.secondsAfter()) : null, measured ? seconds(r.measuredSeconds()) : null,
                    sensitivity ? (Double.isNaN(r.sensitivity()) ? "-"
                            : String.format(Locale.ROOT, "%+.4f", r.sensitivity())) : null));
        }
        cells.add(extend(new String[] {"total", "", "", count(rows.stream().mapToLong(Row::paramsAfter).sum()),
            count(bytesBefore()), count(bytesAfter()), count(rows.stream().mapToLong(Row::residentAfter).sum()),
            ratio(bytesBefore(), bytesAfter()), count(macsBefore()), count(macsAfter()), ""},
                predicted ? seconds(rows.stream().mapToDouble(Row::secondsAfter).sum()) : null,
                measured ? seconds(rows.stream().mapToDouble(Row::measuredSeconds).sum()) : null,
                sensitivity ? "" : null));
        table(sb, cells, 3);
        if (predicted || measured) {
            sb.append("  latency per input, one core: predicted by the cost model on ").append(target)
                    .append(measured ? "; measured on the generated code" : "").append('\n');
        }
        sb.append(String.format(Locale.ROOT, "  weights file: %,d bytes (every weight, biases included, with names, "
                + "shapes and checksums)%n", weightsFileBytes));
        code.ifPresent(c -> {
            sb.append(String.format(Locale.ROOT, "%ngenerated Java: %s (%s, %,d bytes of source, %,d bytes of classes; "
                    + "SIMD: %s)%n", c.className(), c.sourceFile(), c.sourceBytes(), c.classBytes(), c.simd()));
            sb.append(String.format(Locale.ROOT, "  compiled with javac --release 8 -Werror and run on %,d %s beside the "
                    + "reference executor: max |difference| %s, same argmax on %,d of %,d%s%n", c.inputs(),
                    c.inputsFrom(), c.maxAbsDiff() == 0 ? "0" : String.format(Locale.ROOT, "%.1e", c.maxAbsDiff()), c.argmaxAgreement(), c.inputs(),
                    c.correct() < 0 ? "" : String.format(Locale.ROOT, ", accuracy %.2f %%",
                            100.0 * c.correct() / c.inputs())));
        });
        if (rows.stream().anyMatch(r -> !r.why().isEmpty())) {
            sb.append("\nwhy each layer is what it is\n");
            for (Row r : rows) {
                if (!r.why().isEmpty()) {
                    sb.append("  ").append(r.layer()).append(": ").append(r.why()).append('\n');
                }
            }
        }
        sb.append("\npasses (in the order run)\n");
        List<String[]> passCells = new ArrayList<>();
        for (Pipeline.PassRun run : passes) {
            passCells.add(new String[] {run.info().name(),
                times ? String.format(Locale.ROOT, "%.2f s", run.nanos() / 1e9) : "",
                run.statistics().entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))});
        }
        if (passCells.isEmpty()) {
            sb.append("  (none: no statement selects a layer)\n");
        } else {
            table(sb, passCells, 99);
        }
        if (accuracyBefore.isPresent() && accuracyAfter.isPresent()) {
            sb.append(String.format(Locale.ROOT, "%naccuracy on %,d test images: %.2f %% before, %.2f %% after (%+.2f points)%n",
                    evaluatedImages, 100 * accuracyBefore.getAsDouble(), 100 * accuracyAfter.getAsDouble(),
                    100 * (accuracyAfter.getAsDouble() - accuracyBefore.getAsDouble())));
        } else {
            sb.append("\naccuracy: not measured (the recipe has no data, or --no-eval)\n");
        }
        if (!budgets.isEmpty()) {
            sb.append("\nbudgets\n");
            List<String[]> budgetCells = new ArrayList<>();
            for (BudgetCheck b : budgets) {
                budgetCells.add(new String[] {b.metric(), b.comparison() + " " + value(b.metric(), b.bound()),
                    Double.isNaN(b.value()) ? "-" : value(b.metric(), b.value()), b.basis(), verdict(b.verdict()),
                    Double.isNaN(b.planned()) ? "" : "(planner: " + value(b.metric(), b.planned()) + ")"});
            }
            table(sb, budgetCells, 99);
        }
        return sb.toString();
    }

    /** A budget's figure in its metric's unit: bytes, a time, a percentage. */
    public static String value(String metric, double v) {
        return switch (metric) {
            case "size", "memory" -> String.format(Locale.ROOT, "%,.0f B", v);
            case "latency" -> seconds(v);
            default -> String.format(Locale.ROOT, "%.2f %%", 100 * v);
        };
    }

    /** A latency per input, or "-" when not known. */
    public static String seconds(double s) {
        return Double.isNaN(s) ? "-" : s >= 1e-3 ? String.format(Locale.ROOT, "%.3f ms", s * 1e3)
                : String.format(Locale.ROOT, "%.2f us", s * 1e6);
    }

    public static String verdict(Verdict v) {
        return switch (v) {
            case HOLDS -> "holds";
            case MISSES -> "MISSES";
            case NOT_MEASURED -> "not measured";
        };
    }

    /** The cells with the optional ones that are not null appended. */
    private static String[] extend(String[] cells, String... optional) {
        List<String> all = new ArrayList<>(List.of(cells));
        for (String o : optional) {
            if (o != null) {
                all.add(o);
            }
        }
        return all.toArray(String[]::new);
    }

    private static void putFinite(ObjectNode o, String field, double v) {
        if (!Double.isNaN(v)) {
            o.put(field, v);
        }
    }

    private static void table(StringBuilder sb, List<String[]> cells, int firstNumeric) {
        int[] widths = new int[cells.get(0).length];
        for (String[] row : cells) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : cells) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < row.length; i++) {
                boolean right = i >= firstNumeric;
                String pad = " ".repeat(widths[i] - row[i].length());
                line.append(i == 0 ? "" : "  ").append(right ? pad + row[i] : row[i] + pad);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String ratio(long before, long after) {
        return after == 0 ? "-" : String.format(Locale.ROOT, "%.1fx", (double) before / after);
    }

    /** A JSON object with every row, pass and figure; field order is fixed. */
    public String toJson() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("recipe", recipe);
        root.put("model", model);
        if (!target.isEmpty()) {
            root.put("target", target);
        }
        ArrayNode layers = root.putArray("layers");
        for (Row r : rows) {
            ObjectNode o = layers.addObject();
            o.put("layer", r.layer());
            o.put("op", r.op());
            o.put("representation", r.representation());
            o.put("paramsBefore", r.paramsBefore());
            o.put("paramsAfter", r.paramsAfter());
            o.put("bytesBefore", r.bytesBefore());
            o.put("bytesAfter", r.bytesAfter());
            o.put("residentAfter", r.residentAfter());
            o.put("macsBefore", r.macsBefore());
            o.put("macsAfter", r.macsAfter());
            if (!Double.isNaN(r.outputError())) {
                o.put("outputError", r.outputError());
            }
            o.put("representationBefore", r.representationBefore());
            putFinite(o, "predictedSecondsBefore", r.secondsBefore());
            putFinite(o, "predictedSeconds", r.secondsAfter());
            putFinite(o, "measuredSeconds", r.measuredSeconds());
            putFinite(o, "sensitivity", r.sensitivity());
            if (!r.why().isEmpty()) {
                o.put("why", r.why());
            }
        }
        ArrayNode ps = root.putArray("passes");
        for (Pipeline.PassRun run : passes) {
            ObjectNode o = ps.addObject();
            o.put("name", run.info().name());
            ObjectNode stats = o.putObject("statistics");
            run.statistics().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> stats.put(e.getKey(), e.getValue()));
        }
        ObjectNode totals = root.putObject("totals");
        totals.put("bytesBefore", bytesBefore());
        totals.put("bytesAfter", bytesAfter());
        totals.put("macsBefore", macsBefore());
        totals.put("macsAfter", macsAfter());
        totals.put("weightsFileBytes", weightsFileBytes);
        code.ifPresent(c -> {
            ObjectNode o = root.putObject("generated");
            o.put("className", c.className());
            o.put("sourceFile", c.sourceFile());
            o.put("sourceBytes", c.sourceBytes());
            o.put("classBytes", c.classBytes());
            o.put("simd", c.simd());
            ObjectNode v = o.putObject("verification");
            v.put("inputsFrom", c.inputsFrom());
            v.put("inputs", c.inputs());
            v.put("maxAbsDiff", c.maxAbsDiff());
            v.put("argmaxAgreement", c.argmaxAgreement());
            if (c.correct() >= 0) {
                v.put("correct", c.correct());
            }
        });
        ObjectNode acc = root.putObject("accuracy");
        acc.put("images", evaluatedImages);
        accuracyBefore.ifPresent(a -> acc.put("before", a));
        accuracyAfter.ifPresent(a -> acc.put("after", a));
        confusion.ifPresent(c -> {
            ArrayNode matrix = acc.putArray("confusion");
            for (int t = 0; t < c.classes(); t++) {
                ArrayNode row = matrix.addArray();
                for (int p = 0; p < c.classes(); p++) {
                    row.add(c.count(t, p));
                }
            }
        });
        if (!budgets.isEmpty()) {
            ArrayNode bs = root.putArray("budgets");
            for (BudgetCheck b : budgets) {
                ObjectNode o = bs.addObject();
                o.put("metric", b.metric()).put("comparison", b.comparison()).put("bound", b.bound());
                putFinite(o, "planned", b.planned());
                putFinite(o, "value", b.value());
                o.put("basis", b.basis()).put("verdict", b.verdict().name().toLowerCase(Locale.ROOT))
                        .put("line", b.line());
            }
        }
        if (!frontier.isEmpty()) {
            ArrayNode fs = root.putArray("frontier");
            frontier.forEach(f -> fs.addObject().put("size", f.size()).put("accuracy", f.accuracy())
                    .put("chosen", f.chosen()));
        }
        try {
            return mapper.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
