package dev.tamp.model.report;

import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.LayerFacts;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Shape;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.ops.Operator;
import dev.tamp.model.ops.Operators;
import dev.tamp.model.ops.ShapeInference;
import dev.tamp.model.ops.TensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds {@code tamp inspect}'s layer table: shapes, parameter counts, MACs per image and weight bytes per layer. */
public final class ModelInspector {
    private ModelInspector() {}

    public static LayerTable inspect(String modelName, Model model) {
        Graph g = model.graph();
        Operators ops = Operators.standard();
        Map<String, TensorType> perImage = ShapeInference.withSymbolsAs(g, 1, ops);
        Map<String, dev.tamp.model.ir.Tensor> constants =
                ShapeInference.constants(g.weights(), g.nodes(), g.opsetVersion());
        List<LayerRow> rows = new ArrayList<>();
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.nodes().get(i);
            List<Shape> in = new ArrayList<>();
            List<TensorType> inTypes = new ArrayList<>();
            for (String name : n.inputs()) {
                inTypes.add(name.isEmpty() ? null : perImage.get(name));
                if (!name.isEmpty() && !g.isWeight(name)) {
                    ValueInfo v = g.values().get(name);
                    if (v != null) {
                        in.add(v.shape());
                    }
                }
            }
            List<Shape> out = new ArrayList<>();
            List<TensorType> outTypes = new ArrayList<>();
            for (String name : n.outputs()) {
                if (!name.isEmpty() && g.values().containsKey(name)) {
                    out.add(g.values().get(name).shape());
                    outTypes.add(perImage.get(name));
                }
            }
            long params = 0;
            long bytes = 0;
            List<String> weightNames = new ArrayList<>();
            for (Weight w : g.weightsOf(n)) {
                weightNames.add(w.name());
                params += w.elementCount();
                bytes += w.representation().storedBytes();
            }
            Operator op = ops.find(n.opType()).orElseThrow();
            long macs = op.macs(ShapeInference.context(n, g.opsetVersion(), constants), inTypes, outTypes);
            rows.add(new LayerRow(i + 1, n.name(), LayerFacts.modulePath(n.name()).orElse(""), n.opType(), in, out,
                    weightNames, params, macs, bytes));
        }
        return new LayerTable(modelName, g.opsetVersion(), rows);
    }
}
