package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.model.ir.BlockCirculant;
import dev.tamp.model.ir.Circulant;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.numerics.CirculantProjection;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Projects each selected fully connected layer's weight onto the nearest (Frobenius) structured matrix: one circulant
 * ({@code structure method=circulant}, Cheng et al. 2015; square weights only) or {@code block x block} circulant tiles
 * ({@code structure method=block-circulant}, CirCNN). The projection is on the weight as stored ({@code [out, in]} for
 * a Gemm with transB = 1, {@code [in, out]} otherwise), which is the matrix view {@link Circulant#materialize()} and
 * {@link BlockCirculant#materialize()} define; the transpose of a circulant is circulant, so the layer's own matrix is
 * circulant either way.
 */
public final class StructurePass implements Pass {
    private static final List<String> STATISTICS = List.of("layers-structured", "layers-skipped", "bytes-before",
            "bytes-after");

    static final StructurePass CIRCULANT = new StructurePass(new PassInfo("structure-circulant",
            "Replace a square fully connected weight by its nearest circulant: the mean of each wrapped diagonal.",
            PassKind.STRUCTURE, "circulant", List.of(), STATISTICS));
    static final StructurePass BLOCK_CIRCULANT = new StructurePass(new PassInfo("structure-block-circulant",
            "Tile a fully connected weight into block x block circulants, each the mean of its wrapped diagonals.",
            PassKind.STRUCTURE, "block-circulant", List.of("block"), STATISTICS));

    private final PassInfo info;

    private StructurePass(PassInfo info) {
        this.info = info;
    }

    @Override
    public PassInfo info() {
        return info;
    }

    @Override
    public Model apply(Model model, PassContext context) {
        Map<String, Weight> replaced = new LinkedHashMap<>();
        for (WeightTargets.Target t : WeightTargets.select(model, context, info)) {
            String name = t.node().name();
            int[] dims = t.tensor().shape();
            if (dims.length != 2) {
                throw new IllegalArgumentException(name + ": structure " + info.method() + " applies to fully "
                        + "connected layers (Gemm, MatMul), not to a " + t.node().opType() + " weight "
                        + Arrays.toString(dims));
            }
            Representation r = info == CIRCULANT.info ? circulant(name, dims, t.tensor().floats())
                    : blockCirculant(name, dims, t.tensor().floats(), t);
            replaced.put(t.weightName(), new Weight(t.weightName(), r));
            context.count("layers-structured", 1);
            context.count("bytes-before", 4L * t.tensor().size());
            context.count("bytes-after", r.storedBytes());
        }
        return WeightTargets.replace(model, replaced);
    }

    private static Circulant circulant(String name, int[] dims, float[] w) {
        if (dims[0] != dims[1]) {
            throw new IllegalArgumentException(name + ": weight " + Arrays.toString(dims) + " is not square, and a "
                    + "circulant is; use method=block-circulant for rectangular layers");
        }
        return new Circulant(dims, CirculantProjection.circulant(w, dims[0]));
    }

    private static BlockCirculant blockCirculant(String name, int[] dims, float[] w, WeightTargets.Target t) {
        if (t.settings().isAuto("block")) {
            throw new IllegalArgumentException(name + ": block is auto; the planner chooses it first");
        }
        double block = t.settings().number("block");
        if (block < 1 || block != Math.rint(block) || block > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": block must be a positive whole number, got " + block);
        }
        int b = (int) block;
        return new BlockCirculant(dims, b, CirculantProjection.blockCirculant(w, dims[0], dims[1], b));
    }
}
