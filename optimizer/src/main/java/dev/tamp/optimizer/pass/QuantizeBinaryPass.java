package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.numerics.SignQuantization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Replaces each selected layer's weight by its signs times a mean-magnitude scale, XNOR-Net style. */
public final class QuantizeBinaryPass implements Pass {
    private static final PassInfo INFO = new PassInfo("quantize-binary",
            "Binarize weights: sign(w) times the mean |w| of the channel (or tensor), as XNOR-Net.",
            PassKind.QUANTIZE, "binary", List.of("granularity"),
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
            Representation r = SignQuantization.binary(t.tensor(), perChannel ? t.outputAxis() : -1);
            replaced.put(t.weightName(), new Weight(t.weightName(), r));
            context.count("layers-quantized", 1);
            context.count("bytes-before", 4L * t.tensor().size());
            context.count("bytes-after", r.storedBytes());
        }
        return WeightTargets.replace(model, replaced);
    }
}
