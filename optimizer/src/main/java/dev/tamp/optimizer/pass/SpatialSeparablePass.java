package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.transform.GraphRewrite;
import dev.tamp.optimizer.numerics.TruncatedSvd;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spatially separable convolution ({@code factorize method=spatial}; Jaderberg, Vedaldi and Zisserman 2014, scheme
 * 2): a {@code k_h×k_w} Conv {@code W [out, in, k_h, k_w]} becomes a {@code k_h×1} Conv {@code in → r} followed by a
 * {@code 1×k_w} Conv {@code r → out} with the original bias. With {@code M [in·k_h, out·k_w]}, {@code M[(c,a),(o,b)]
 * = W[o,c,a,b]}, the pair computes {@code W[o,c,a,b] ≈ Σ_r V[r,c,a] H[o,r,b]} exactly when {@code M ≈ (U√S)(√S Vᵀ)}
 * is its truncated SVD (best rank-r approximation of M in the Frobenius norm, which is the weight's Frobenius norm).
 *
 * <p>The window splits along its axes: the vertical Conv takes the stride, dilation and top/bottom pads of the
 * height, the horizontal one those of the width. That is exact because the vertical Conv has no bias: its response
 * to the width padding's zero columns is zero, which is what the horizontal Conv pads with.
 *
 * <p>Refused: ranks above {@code min(in·k_h, out·k_w)}, an explicit rank whose two Convs have at least as many
 * weights as the original (an energy-chosen one leaves the layer as it is, counted as {@code layers-skipped}), and
 * Convs that are grouped, not 2-D, or use {@code auto_pad}.
 */
public final class SpatialSeparablePass implements Pass {
    private static final PassInfo INFO = new PassInfo("factorize-spatial",
            "Split a k_h×k_w Conv into a k_h×1 Conv to rank r and a 1×k_w Conv, by SVD of the reshaped weight.",
            PassKind.FACTORIZE, "spatial", List.of("rank", "energy"),
            List.of("layers-factored", "layers-skipped", "rank-total", "params-before", "params-after"),
            PassInfo.Effect.GRAPH);

    @Override
    public PassInfo info() {
        return INFO;
    }

    @Override
    public Model apply(Model model, PassContext context) {
        Graph g = model.graph();
        for (WeightTargets.Target t : WeightTargets.select(model, context, INFO)) {
            String name = t.node().name();
            int[] d = t.tensor().shape();
            ConvGeometry.of(t.node(), d, INFO.name());
            TruncatedSvd.Target target = FactorizeTargets.of(name, t.settings());
            long before = t.tensor().size();
            if (target instanceof TruncatedSvd.Target.Rank r) {
                FactorizeTargets.checkedRank(name, r.rank(), Math.min(d[1] * d[2], d[0] * d[3]),
                        "min(in·k_h, out·k_w)");
                if (params(d, r.rank()) >= before) {
                    throw new IllegalArgumentException(name + ": rank " + r.rank() + " gives " + params(d, r.rank())
                            + " weights, not fewer than the Conv's " + before);
                }
            }
            TruncatedSvd.Result svd = decompose(t.tensor(), target, context.seed(), context.threads());
            if (params(d, svd.rank()) >= before) {
                context.count("layers-skipped", 1);
                continue;
            }
            g = separate(g, t.node(), svd);
            context.count("layers-factored", 1);
            context.count("rank-total", svd.rank());
            context.count("params-before", before);
            context.count("params-after", params(d, svd.rank()));
        }
        return g == model.graph() ? model
                : new Model(g, model.producerName(), model.producerVersion(), model.irVersion());
    }

    private static long params(int[] d, int rank) {
        return (long) rank * ((long) d[1] * d[2] + (long) d[0] * d[3]);
    }

    /** The truncated SVD of {@code W [out, in, k_h, k_w]} reshaped to {@code M [in·k_h, out·k_w]}. */
    static TruncatedSvd.Result decompose(Tensor weight, TruncatedSvd.Target target, long seed, int threads) {
        int[] d = weight.shape();
        int out = d[0];
        int in = d[1];
        int kh = d[2];
        int kw = d[3];
        float[] w = weight.floats();
        float[] m = new float[w.length];
        int cols = out * kw;
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < in; c++) {
                for (int a = 0; a < kh; a++) {
                    for (int b = 0; b < kw; b++) {
                        m[(c * kh + a) * cols + o * kw + b] = w[((o * in + c) * kh + a) * kw + b];
                    }
                }
            }
        }
        return TruncatedSvd.compute(m, in * kh, cols, target, seed, threads);
    }

    /**
     * The graph with {@code conv} replaced by its vertical and horizontal parts from {@code svd} (of {@link
     * #decompose}), whatever their size: the caller decides whether that rank pays.
     */
    static Graph separate(Graph g, Node conv, TruncatedSvd.Result svd) {
        int[] d = g.weights().get(conv.input(1)).representation().dims();
        ConvGeometry geo = ConvGeometry.of(conv, d, INFO.name());
        int out = d[0];
        int in = d[1];
        int r = svd.rank();
        // Left factor [in·k_h, r] → vertical weight [r, in, k_h, 1]; right factor [r, out·k_w] → horizontal
        // weight [out, r, 1, k_w].
        float[] left = svd.leftFactor();
        float[] vertical = new float[r * in * geo.kh()];
        for (int c = 0; c < in; c++) {
            for (int a = 0; a < geo.kh(); a++) {
                for (int p = 0; p < r; p++) {
                    vertical[(p * in + c) * geo.kh() + a] = left[(c * geo.kh() + a) * r + p];
                }
            }
        }
        float[] right = svd.rightFactor();
        float[] horizontal = new float[out * r * geo.kw()];
        for (int p = 0; p < r; p++) {
            for (int o = 0; o < out; o++) {
                for (int b = 0; b < geo.kw(); b++) {
                    horizontal[(o * r + p) * geo.kw() + b] = right[p * out * geo.kw() + o * geo.kw() + b];
                }
            }
        }
        String vName = GraphRewrite.freshName(g, PassContext.partName(conv.input(1), "vertical"));
        String hName = GraphRewrite.freshName(g, PassContext.partName(conv.input(1), "horizontal"));
        String mid = GraphRewrite.freshName(g, PassContext.partName(conv.output(0), "vertical"));
        long[] s = geo.strides();
        long[] dl = geo.dilations();
        long[] pads = geo.pads();
        Node v = new Node(PassContext.partName(conv.name(), "vertical"), "Conv",
                ConvGeometry.inputs(conv.input(0), vName, conv, false), List.of(mid),
                ConvGeometry.attributes(geo.kh(), 1, new long[] {s[0], 1}, new long[] {dl[0], 1},
                        new long[] {pads[0], 0, pads[2], 0}));
        Node h = new Node(PassContext.partName(conv.name(), "horizontal"), "Conv",
                ConvGeometry.inputs(mid, hName, conv, true), conv.outputs(),
                ConvGeometry.attributes(1, geo.kw(), new long[] {1, s[1]}, new long[] {1, dl[1]},
                        new long[] {0, pads[1], 0, pads[3]}));
        Map<String, Weight> weights = new LinkedHashMap<>();
        weights.put(vName, new Weight(vName, new Dense(Tensor.ofFloats(new int[] {r, in, geo.kh(), 1}, vertical))));
        weights.put(hName, new Weight(hName, new Dense(Tensor.ofFloats(new int[] {out, r, 1, geo.kw()}, horizontal))));
        return GraphRewrite.replaceNode(g, conv, List.of(v, h), weights);
    }
}
