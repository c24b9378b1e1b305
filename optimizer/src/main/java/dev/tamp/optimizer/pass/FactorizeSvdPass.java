package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.model.ir.Factored;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.numerics.TruncatedSvd;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Truncated SVD of a layer's weight ({@code factorize method=svd}): the weight's matrix view {@code W [m, n]}
 * ({@code dims[0]} by the rest: a Gemm/MatMul matrix as stored, a Conv's {@code [out, in·k_h·k_w]}, which is the
 * channel decomposition of Zhang et al. 2015 without their data term) becomes {@link Factored} {@code U √S · √S Vᵀ},
 * the Eckart–Young best approximation of that rank in the Frobenius norm. The rank is {@code rank}, or the smallest
 * one whose singular values keep {@code energy} of {@code ‖W‖²_F}.
 *
 * <p>A factored layer must be smaller than the dense one ({@code 4 + 4r(m + n) < 4mn} bytes). An explicit rank at or
 * above that break-even is refused, naming the largest rank that pays: the recipe asked for a compression it would
 * not get. A rank chosen by {@code energy} above it leaves the layer dense (which keeps all of its energy) and is
 * counted as {@code layers-skipped}, so {@code factorize * method=svd energy=0.9} over a model with a tiny classifier
 * still runs.
 */
public final class FactorizeSvdPass implements Pass {
    private static final PassInfo INFO = new PassInfo("factorize-svd",
            "Replace a weight's matrix view by its truncated SVD, stored as Factored U·V.",
            PassKind.FACTORIZE, "svd", List.of("rank", "energy"),
            List.of("layers-factored", "layers-skipped", "rank-total", "bytes-before", "bytes-after"));

    @Override
    public PassInfo info() {
        return INFO;
    }

    @Override
    public Model apply(Model model, PassContext context) {
        Map<String, Weight> replaced = new LinkedHashMap<>();
        for (WeightTargets.Target t : WeightTargets.select(model, context, INFO)) {
            String name = t.node().name();
            TruncatedSvd.Target target = FactorizeTargets.of(name, t.settings());
            int[] dims = t.tensor().shape();
            int m = dims[0];
            int n = (int) (t.tensor().size() / m);
            int breakEven = largestPayingRank(m, n);
            if (target instanceof TruncatedSvd.Target.Rank r) {
                FactorizeTargets.checkedRank(name, r.rank(), Math.min(m, n), "the smaller side of its " + m + "x" + n
                        + " matrix view");
                if (r.rank() > breakEven) {
                    throw new IllegalArgumentException(name + ": rank " + r.rank() + " does not make the " + m + "x"
                            + n + " weight smaller (" + factoredBytes(m, n, r.rank()) + " bytes factored vs "
                            + 4L * m * n + " dense); the largest rank that does is " + breakEven);
                }
            }
            TruncatedSvd.Result svd = TruncatedSvd.compute(t.tensor().floats(), m, n, target, context.seed(),
                    context.threads());
            if (svd.rank() > breakEven) {
                context.count("layers-skipped", 1);
                continue;
            }
            Factored f = new Factored(dims, svd.rank(), svd.leftFactor(), svd.rightFactor(), layout(t));
            replaced.put(t.weightName(), new Weight(t.weightName(), f));
            context.count("layers-factored", 1);
            context.count("rank-total", svd.rank());
            context.count("bytes-before", 4L * t.tensor().size());
            context.count("bytes-after", f.storedBytes());
        }
        return WeightTargets.replace(model, replaced);
    }

    /** The largest rank whose factors take fewer bytes than the dense float32 matrix (0 when none does). */
    static int largestPayingRank(int m, int n) {
        long dense = 4L * m * n;
        int r = (int) Math.max(0, (dense - 4) / (4L * (m + n)));
        while (r > 0 && factoredBytes(m, n, r) >= dense) {
            r--;
        }
        return r;
    }

    private static long factoredBytes(int m, int n, int rank) {
        return 4 + 4L * rank * ((long) m + n);
    }

    /** Rows of the matrix view are outputs exactly when the output axis is 0 (Conv, Gemm with transB=1). */
    private static Factored.Layout layout(WeightTargets.Target t) {
        return t.outputAxis() == 0 ? Factored.Layout.OUTPUT_BY_INPUT : Factored.Layout.INPUT_BY_OUTPUT;
    }
}
