package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.numerics.SignQuantization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces each selected layer's weight by its signs times a scale per channel (or tensor): binary, sign(w) times the
 * mean |w| as XNOR-Net; or ternary, {-a, 0, +a} with threshold 0.7 mean |w| as ternary weight networks.
 */
public final class QuantizeSignPass implements Pass {
    /** The representation of a tensor, quantized along an output axis (-1: per tensor). */
    @FunctionalInterface
    interface SignQuantizer {
        Representation quantize(Tensor tensor, int axis);
    }

    private static final List<String> STATISTICS = List.of("layers-quantized", "layers-skipped", "bytes-before",
            "bytes-after");

    static final QuantizeSignPass BINARY = new QuantizeSignPass(new PassInfo("quantize-binary",
            "Binarize weights: sign(w) times the mean |w| of the channel (or tensor), as XNOR-Net.",
            PassKind.QUANTIZE, "binary", List.of("granularity"), STATISTICS), SignQuantization::binary);
    static final QuantizeSignPass TERNARY = new QuantizeSignPass(new PassInfo("quantize-ternary",
            "Ternarize weights to {-a, 0, +a} per channel (or tensor), threshold 0.7 mean |w| (TWN).",
            PassKind.QUANTIZE, "ternary", List.of("granularity"), STATISTICS), SignQuantization::ternary);

    private final PassInfo info;
    private final SignQuantizer quantizer;

    private QuantizeSignPass(PassInfo info, SignQuantizer quantizer) {
        this.info = info;
        this.quantizer = quantizer;
    }

    @Override
    public PassInfo info() {
        return info;
    }

    @Override
    public Model apply(Model model, PassContext context) {
        Map<String, Weight> replaced = new LinkedHashMap<>();
        for (WeightTargets.Target t : WeightTargets.select(model, context, info)) {
            boolean perChannel = t.settings().word("granularity").equals("per-channel");
            Representation r = quantizer.quantize(t.tensor(), perChannel ? t.outputAxis() : -1);
            replaced.put(t.weightName(), new Weight(t.weightName(), r));
            context.count("layers-quantized", 1);
            context.count("bytes-before", 4L * t.tensor().size());
            context.count("bytes-after", r.storedBytes());
        }
        return WeightTargets.replace(model, replaced);
    }
}
