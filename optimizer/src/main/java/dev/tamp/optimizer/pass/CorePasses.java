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
    public static final Pass PRUNE_L1_FILTER = new PruneFilterPass();
    public static final Pass PRUNE_DATA_FREE = new PruneDataFreePass();
    public static final Pass FACTORIZE_SVD = new FactorizeSvdPass();
    public static final Pass FACTORIZE_SPATIAL = new SpatialSeparablePass();
    public static final Pass FACTORIZE_TUCKER = new TuckerPass();
    public static final Pass COMPACT_DEPTHWISE_SEPARABLE = CompactFiltersPass.DEPTHWISE_SEPARABLE;
    public static final Pass COMPACT_BOTTLENECK = CompactFiltersPass.BOTTLENECK;
    public static final Pass STRUCTURE_CIRCULANT = StructurePass.CIRCULANT;
    public static final Pass STRUCTURE_BLOCK_CIRCULANT = StructurePass.BLOCK_CIRCULANT;
    public static final Pass HASH_WEIGHTS = new HashWeightsPass();
    public static final Pass ENCODE_HUFFMAN = new EncodeHuffmanPass();

    // One pass per line, so that adding a pass is a one-line change. Pipeline orders them by stage, not by this list.
    private static final List<Pass> ALL = List.of(
            PRUNE_MAGNITUDE,
            PRUNE_OBD,
            PRUNE_OBS,
            PRUNE_L1_FILTER,
            PRUNE_DATA_FREE,
            QUANTIZE_UNIFORM,
            QUANTIZE_BINARY,
            QUANTIZE_TERNARY,
            SHARE_WEIGHTS,
            FACTORIZE_SVD,
            FACTORIZE_SPATIAL,
            FACTORIZE_TUCKER,
            COMPACT_DEPTHWISE_SEPARABLE,
            COMPACT_BOTTLENECK,
            STRUCTURE_CIRCULANT,
            STRUCTURE_BLOCK_CIRCULANT,
            HASH_WEIGHTS,
            ENCODE_HUFFMAN);

    private CorePasses() {}

    public static List<Pass> all() {
        return ALL;
    }

    public static Optional<Pass> named(String name) {
        return ALL.stream().filter(p -> p.info().name().equals(name)).findFirst();
    }
}
