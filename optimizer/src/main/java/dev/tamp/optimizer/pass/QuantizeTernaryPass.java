package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.numerics.SignQuantization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Replaces each selected layer's weight by {-1, 0, +1} times a scale, as ternary weight networks. */
public final class QuantizeTernaryPass implements Pass {
    private static final PassInfo INFO = new PassInfo("quantize-ternary",
            "Ternarize weights to {-a, 0, +a} per channel (or tensor), threshold 0.7 mean |w| (TWN).",
            PassKind.QUANTIZE, "ternary", List.of("granularity"),
            List.of("layers-quantized", "layers-skipped", "bytes-before", "bytes-after"));

    @Override
    public PassInfo info() {
        return INFO;
    }

    @Override
    public Model apply(Model model, PassContext context) {
        Map<String, Weight> replaced = new LinkedHashMap<>();
        for (WeightTargets.Target t : WeightTargets.select(model, context, INFO)) {
            boolean perChannel = t.settings().word("granularity").equals("per-channel");
            Representation r = SignQuantization.ternary(t.tensor(), perChannel ? t.outputAxis() : -1);
            replaced.put(t.weightName(), new Weight(t.weightName(), r));
            context.count("layers-quantized", 1);
            context.count("bytes-before", 4L * t.tensor().size());
            context.count("bytes-after", r.storedBytes());
        }
        return WeightTargets.replace(model, replaced);
    }
}
