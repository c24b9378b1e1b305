package dev.tamp.optimizer.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.ir.Settings;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the planner chose: per layer the candidate, its predicted costs and sensitivity, and the runner-up with why
 * it lost; the totals against each budget, predicted and measured on the applied model; the size/accuracy frontier;
 * and the problems ({@code E3005}) when a budget cannot be met. {@code layers} is the resolved per-layer settings
 * the pipeline runs (what {@code tamp compile} applies). Contains no timings, so equal inputs give equal plans.
 */
public record Plan(String recipe, String model, String target, int sensitivityImages, int candidatesEvaluated,
        List<Row> rows, List<Total> totals, List<FrontierPoint> frontier, double baselineAccuracy,
        double measuredAccuracy, long measuredSize, int rounds, List<String> log, List<Diagnostic> problems,
        Map<PassKind, Map<String, Settings>> layers) {

    public Plan {
        rows = List.copyOf(rows);
        totals = List.copyOf(totals);
        frontier = List.copyOf(frontier);
        log = List.copyOf(log);
        problems = List.copyOf(problems);
    }

    /**
     * One layer. {@code sensitivity} is the validation loss change with this layer alone compressed this way,
     * {@code accuracyChange} the accuracy change; {@code candidates} how many choices it had.
     */
    public record Row(String layer, String choice, String representation, long storedBytes, long residentBytes,
            long macs, double seconds, double sensitivity, double accuracyChange, String runnerUp, String whyLost,
            int candidates, List<String> notes) {
        public Row {
            notes = List.copyOf(notes);
        }
    }

    /** One budget: the bound, the planner's prediction, the value measured on the applied model, and whether it held. */
    public record Total(String metric, String comparison, double bound, double predicted, double measured,
            boolean holds, int line) {}

    /** A plan solved at one size capacity: its size and predicted accuracy; {@code chosen} marks the plan taken. */
    public record FrontierPoint(long size, double accuracy, boolean chosen) {}

    /** Whether every budget holds and nothing was reported. */
    public boolean ok() {
        return problems.isEmpty() && totals.stream().allMatch(Total::holds);
    }

    public String toJson() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("recipe", recipe).put("model", model).put("target", target)
                .put("sensitivityImages", sensitivityImages).put("candidatesEvaluated", candidatesEvaluated)
                .put("baselineAccuracy", baselineAccuracy).put("measuredAccuracy", measuredAccuracy)
                .put("measuredSize", measuredSize).put("rounds", rounds).put("ok", ok());
        ArrayNode rs = root.putArray("layers");
        for (Row r : rows) {
            ObjectNode o = rs.addObject();
            o.put("layer", r.layer()).put("choice", r.choice()).put("representation", r.representation())
                    .put("storedBytes", r.storedBytes()).put("residentBytes", r.residentBytes())
                    .put("macs", r.macs()).put("latencySeconds", r.seconds()).put("sensitivity", r.sensitivity())
                    .put("accuracyChange", r.accuracyChange()).put("runnerUp", r.runnerUp())
                    .put("whyLost", r.whyLost()).put("candidates", r.candidates());
            r.notes().forEach(o.putArray("notes")::add);
        }
        ArrayNode ts = root.putArray("budgets");
        for (Total t : totals) {
            ts.addObject().put("metric", t.metric()).put("comparison", t.comparison()).put("bound", t.bound())
                    .put("predicted", t.predicted()).put("measured", t.measured()).put("holds", t.holds())
                    .put("line", t.line());
        }
        ArrayNode fs = root.putArray("frontier");
        for (FrontierPoint f : frontier) {
            fs.addObject().put("size", f.size()).put("accuracy", f.accuracy()).put("chosen", f.chosen());
        }
        log.forEach(root.putArray("log")::add);
        ArrayNode ps = root.putArray("problems");
        problems.forEach(d -> ps.addObject().put("code", d.code().code()).put("line", d.span().line())
                .put("message", d.message()));
        try {
            return mapper.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The per-layer table and the budgets, for people. */
    public String renderText() {
        StringBuilder b = new StringBuilder();
        b.append("plan for ").append(recipe).append(" (").append(model).append(", target ").append(target)
                .append("; sensitivity on ").append(sensitivityImages).append(" validation images, ")
                .append(candidatesEvaluated).append(" candidates)\n");
        b.append(String.format(Locale.ROOT, "%-30s %-34s %-24s %9s %9s %11s %10s %9s %8s  %s%n", "layer", "choice",
                "representation", "stored", "resident", "MACs", "latency", "Δloss", "Δacc", "runner-up (why it lost)"));
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "%-30s %-34s %-24s %9s %9s %,11d %10s %+9.4f %+7.2f%%  %s%n",
                    r.layer(), r.choice(), r.representation(), String.format(Locale.ROOT, "%,d", r.storedBytes()),
                    String.format(Locale.ROOT, "%,d", r.residentBytes()), r.macs(), time(r.seconds()),
                    r.sensitivity(), 100 * r.accuracyChange(),
                    r.runnerUp().isEmpty() ? "-" : r.runnerUp() + " (" + r.whyLost() + ")"));
            for (String note : r.notes()) {
                b.append("    note: ").append(note).append('\n');
            }
        }
        b.append("budgets:\n");
        for (Total t : totals) {
            b.append(String.format(Locale.ROOT, "  %-8s %s %-14s predicted %-14s measured %-14s %s%n", t.metric(),
                    t.comparison(), value(t.metric(), t.bound()), value(t.metric(), t.predicted()),
                    Double.isNaN(t.measured()) ? "-" : value(t.metric(), t.measured()), t.holds() ? "holds" : "MISSES"));
        }
        b.append(String.format(Locale.ROOT, "validation accuracy %.2f %% -> %.2f %%, weights %,d bytes%n",
                100 * baselineAccuracy, 100 * measuredAccuracy, measuredSize));
        for (String line : log) {
            b.append("  ").append(line).append('\n');
        }
        return b.toString();
    }

    static String value(String metric, double v) {
        return switch (metric) {
            case "size", "memory" -> String.format(Locale.ROOT, "%,.0f B", v);
            case "latency" -> time(v);
            default -> String.format(Locale.ROOT, "%.2f %%", 100 * v);
        };
    }

    static String time(double seconds) {
        return seconds >= 1e-3 ? String.format(Locale.ROOT, "%.3f ms", seconds * 1e3)
                : String.format(Locale.ROOT, "%.2f us", seconds * 1e6);
    }
}
