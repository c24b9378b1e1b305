package dev.tamp.optimizer.pass;

import java.util.List;
import java.util.Optional;

/** Every pass tamp ships, registered here by hand (no classpath scanning), in a stable order. */
public final class CorePasses {
    public static final Pass QUANTIZE_UNIFORM = new QuantizeUniformPass();
    public static final Pass QUANTIZE_BINARY = QuantizeSignPass.BINARY;
    public static final Pass QUANTIZE_TERNARY = QuantizeSignPass.TERNARY;
    public static final Pass SHARE_WEIGHTS = new ShareWeightsPass();
    public static final Pass PRUNE_MAGNITUDE = new PruneMagnitudePass();
    public static final Pass PRUNE_OBD = PruneSecondOrderPass.OBD;
    public static final Pass PRUNE_OBS = PruneSecondOrderPass.OBS;

    private static final List<Pass> ALL = List.of(PRUNE_MAGNITUDE, PRUNE_OBD, PRUNE_OBS, QUANTIZE_UNIFORM, QUANTIZE_BINARY, QUANTIZE_TERNARY,
            SHARE_WEIGHTS);

    private CorePasses() {}

    public static List<Pass> all() {
        return ALL;
    }

    public static Optional<Pass> named(String name) {
        return ALL.stream().filter(p -> p.info().name().equals(name)).findFirst();
    }
}
