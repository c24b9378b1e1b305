package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.numerics.AffineQuantization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Replaces each selected layer's weight by uniform affine integer codes ({@code quantize method=uniform}). */
public final class QuantizeUniformPass implements Pass {
    private static final PassInfo INFO = new PassInfo("quantize-uniform",
            "Quantize weights to 2-8 bit affine integer codes, symmetric or asymmetric, per tensor or per channel.",
            PassKind.QUANTIZE, "uniform", List.of("bits", "granularity", "symmetric"),
            List.of("layers-quantized", "layers-skipped", "bytes-before", "bytes-after"));

    @Override
    public PassInfo info() {
        return INFO;
    }

    @Override
    public Model apply(Model model, PassContext context) {
        Map<String, Weight> replaced = new LinkedHashMap<>();
        for (WeightTargets.Target t : WeightTargets.select(model, context, INFO)) {
            if (t.settings().isAuto("bits")) {
                throw new IllegalArgumentException(t.node().name() + ": bits is auto; the planner chooses it first");
            }
            int bits = (int) t.settings().number("bits");
            boolean perChannel = t.settings().word("granularity").equals("per-channel");
            boolean symmetric = t.settings().flag("symmetric");
            AffineQuantized q = AffineQuantization.quantize(t.tensor(), bits, symmetric, perChannel ? t.outputAxis() : -1);
            replaced.put(t.weightName(), new Weight(t.weightName(), q));
            context.count("layers-quantized", 1);
            context.count("bytes-before", 4L * t.tensor().size());
            context.count("bytes-after", q.storedBytes());
        }
        return WeightTargets.replace(model, replaced);
    }
}
