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
import dev.tamp.optimizer.numerics.Tucker2;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tucker-2 decomposition of a Conv ({@code factorize method=tucker}; Kim et al. 2016): {@code W [out, in, k_h, k_w]}
 * becomes a 1×1 Conv {@code in → r_in} ({@code U_inᵀ}), a {@code k_h×k_w} core Conv {@code r_in → r_out} with the
 * original stride, pads and dilation, and a 1×1 Conv {@code r_out → out} ({@code U_out}) with the original bias; the
 * factors are {@link Tucker2}'s (HOSVD, then {@link #SWEEPS} ALS sweeps). The first Conv has no bias, so the core's
 * zero padding of its output equals the projection of the zero-padded input: the chain is exact at full rank.
 *
 * <p>{@code rank} serves both modes, each capped by its channel count (and by its unfolding's other side); {@code energy} picks each mode's rank from the
 * singular values of its own unfolding. Refused: an explicit rank whose three Convs hold at least as many weights as
 * the original (an energy-chosen one leaves the layer as it is and counts {@code layers-skipped}), and Convs that are
 * grouped, not 2-D, or use {@code auto_pad}.
 */
public final class TuckerPass implements Pass {
    /** ALS sweeps after the HOSVD; the fit gain beyond two is small (docs/passes.md). */
    static final int SWEEPS = 2;

    private static final PassInfo INFO = new PassInfo("factorize-tucker",
            "Replace a Conv by 1×1 (in→r_in), k×k core (r_in→r_out) and 1×1 (r_out→out) Convs: Tucker-2 by HOSVD+ALS.",
            PassKind.FACTORIZE, "tucker", List.of("rank", "energy"),
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
            TruncatedSvd.Target outTarget = target;
            TruncatedSvd.Target inTarget = target;
            long before = t.tensor().size();
            if (target instanceof TruncatedSvd.Target.Rank r) {
                int k = d[2] * d[3];
                int rOut = Math.min(r.rank(), Math.min(d[0], d[1] * k));
                int rIn = Math.min(r.rank(), Math.min(d[1], d[0] * k));
                outTarget = new TruncatedSvd.Target.Rank(rOut);
                inTarget = new TruncatedSvd.Target.Rank(rIn);
                long after = params(d, rOut, rIn);
                if (after >= before) {
                    throw new IllegalArgumentException(name + ": rank " + r.rank() + " gives " + after
                            + " weights, not fewer than the Conv's " + before);
                }
            }
            Tucker2.Result tucker = decompose(t.tensor(), outTarget, inTarget, context.seed(), context.threads());
            long after = params(d, tucker.rankOut(), tucker.rankIn());
            if (after >= before) {
                context.count("layers-skipped", 1);
                continue;
            }
            g = replace(g, t.node(), tucker);
            context.count("layers-factored", 1);
            context.count("rank-total", tucker.rankIn() + tucker.rankOut());
            context.count("params-before", before);
            context.count("params-after", after);
        }
        return g == model.graph() ? model
                : new Model(g, model.producerName(), model.producerVersion(), model.irVersion());
    }

    private static long params(int[] d, int rOut, int rIn) {
        return (long) d[1] * rIn + (long) rOut * rIn * d[2] * d[3] + (long) rOut * d[0];
    }

    /** The Tucker-2 factors of a Conv weight {@code [out, in, k_h, k_w]}. */
    static Tucker2.Result decompose(Tensor weight, TruncatedSvd.Target outTarget, TruncatedSvd.Target inTarget,
            long seed, int threads) {
        int[] d = weight.shape();
        return Tucker2.decompose(weight.floats(), d[0], d[1], d[2] * d[3], outTarget, inTarget, SWEEPS, seed,
                threads);
    }

    /** The graph with {@code conv} replaced by the three Convs of {@code tucker}, whatever their size. */
    static Graph replace(Graph g, Node conv, Tucker2.Result tucker) {
        int[] d = g.weights().get(conv.input(1)).representation().dims();
        ConvGeometry geo = ConvGeometry.of(conv, d, INFO.name());
        int out = d[0];
        int in = d[1];
        int rOut = tucker.rankOut();
        int rIn = tucker.rankIn();
        float[] first = new float[rIn * in];
        for (int c = 0; c < in; c++) {
            for (int t = 0; t < rIn; t++) {
                first[t * in + c] = (float) tucker.uIn()[c * rIn + t];
            }
        }
        float[] core = new float[tucker.core().length];
        for (int i = 0; i < core.length; i++) {
            core[i] = (float) tucker.core()[i];
        }
        float[] last = new float[out * rOut];
        for (int i = 0; i < last.length; i++) {
            last[i] = (float) tucker.uOut()[i];
        }
        String w1 = GraphRewrite.freshName(g, PassContext.partName(conv.input(1), "project-in"));
        String w2 = GraphRewrite.freshName(g, PassContext.partName(conv.input(1), "core"));
        String w3 = GraphRewrite.freshName(g, PassContext.partName(conv.input(1), "project-out"));
        String x1 = GraphRewrite.freshName(g, PassContext.partName(conv.output(0), "project-in"));
        String x2 = GraphRewrite.freshName(g, PassContext.partName(conv.output(0), "core"));
        List<Node> nodes = List.of(
                new Node(PassContext.partName(conv.name(), "project-in"), "Conv",
                        ConvGeometry.inputs(conv.input(0), w1, conv, false), List.of(x1), ConvGeometry.pointwise()),
                new Node(PassContext.partName(conv.name(), "core"), "Conv",
                        ConvGeometry.inputs(x1, w2, conv, false), List.of(x2),
                        ConvGeometry.attributes(geo.kh(), geo.kw(), geo.strides(), geo.dilations(), geo.pads())),
                new Node(PassContext.partName(conv.name(), "project-out"), "Conv",
                        ConvGeometry.inputs(x2, w3, conv, true), conv.outputs(), ConvGeometry.pointwise()));
        Map<String, Weight> weights = new LinkedHashMap<>();
        weights.put(w1, new Weight(w1, new Dense(Tensor.ofFloats(new int[] {rIn, in, 1, 1}, first))));
        weights.put(w2, new Weight(w2, new Dense(Tensor.ofFloats(new int[] {rOut, rIn, geo.kh(), geo.kw()}, core))));
        weights.put(w3, new Weight(w3, new Dense(Tensor.ofFloats(new int[] {out, rOut, 1, 1}, last))));
        return GraphRewrite.replaceNode(g, conv, nodes, weights);
    }
}
