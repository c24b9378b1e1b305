package dev.tamp.model.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tamp.model.ir.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/** The result of inspecting a model: one row per layer plus totals, printable as aligned text or JSON. */
public record LayerTable(String model, int opset, List<LayerRow> rows) {
    public LayerTable {
        Objects.requireNonNull(model);
        rows = List.copyOf(rows);
    }

    public long totalParams() {
        return rows.stream().mapToLong(LayerRow::params).sum();
    }

    public long totalMacs() {
        return rows.stream().mapToLong(LayerRow::macs).sum();
    }

    public long totalWeightBytes() {
        return rows.stream().mapToLong(LayerRow::weightBytes).sum();
    }

    private static String shapes(List<Shape> shapes) {
        return shapes.stream().map(Shape::toString).collect(Collectors.joining(" "));
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Aligned columns, numbers right-aligned with thousands separators, then a totals line. */
    public String renderText() {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"#", "layer", "module", "op", "inputs", "outputs", "params", "MACs", "bytes"});
        for (LayerRow r : rows) {
            cells.add(new String[] {Integer.toString(r.position()), r.name(), r.module(), r.opType(),
                shapes(r.inputShapes()), shapes(r.outputShapes()), count(r.params()), count(r.macs()),
                count(r.weightBytes())});
        }
        cells.add(new String[] {"", "total", "", "", "", "", count(totalParams()), count(totalMacs()),
            count(totalWeightBytes())});
        int[] widths = new int[9];
        for (String[] row : cells) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("model ").append(model).append(" (opset ").append(opset).append(", ").append(rows.size())
                .append(" layers; MACs per image; `#N` in a recipe selects row N)\n");
        for (String[] row : cells) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                boolean right = i == 0 || i >= 6;
                String cell = right ? " ".repeat(widths[i] - row[i].length()) + row[i]
                        : row[i] + " ".repeat(widths[i] - row[i].length());
                line.append(i == 0 ? "" : "  ").append(cell);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    /** A JSON object with the model, every row and the totals; field order is fixed. */
    public String toJson() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("model", model);
        root.put("opset", opset);
        ArrayNode layers = root.putArray("layers");
        for (LayerRow r : rows) {
            ObjectNode o = layers.addObject();
            o.put("position", r.position());
            o.put("name", r.name());
            o.put("module", r.module());
            o.put("op", r.opType());
            ArrayNode in = o.putArray("inputs");
            r.inputShapes().forEach(s -> in.add(s.toString()));
            ArrayNode out = o.putArray("outputs");
            r.outputShapes().forEach(s -> out.add(s.toString()));
            ArrayNode w = o.putArray("weights");
            r.weights().forEach(w::add);
            o.put("params", r.params());
            o.put("macs", r.macs());
            o.put("bytes", r.weightBytes());
        }
        ObjectNode totals = root.putObject("totals");
        totals.put("params", totalParams());
        totals.put("macs", totalMacs());
        totals.put("bytes", totalWeightBytes());
        try {
            return mapper.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
