package dev.tamp.optimizer.train;

import dev.tamp.model.ir.Node;
import dev.tamp.model.ops.Parallelism;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Gemm ({@code Y = alpha A op(W) + beta C}, transA=0) and 2-D MatMul with a circulant or block-circulant weight,
 * multiplied and back-propagated through FFTs ({@link CirculantWeight}). As the weight is stored ({@code [out, in]}
 * with transB=1, {@code [in, out]} otherwise), each row of A is multiplied by {@code W} or by {@code W^T}.
 */
final class CirculantLayer implements Layer.Unary {
    private final Node node;
    private final int in;
    private final int out;
    private final CirculantWeight weight;
    private final GemmBias bias;
    private final boolean transB;
    private final float alpha;

    CirculantLayer(Node node, int in, int out, CirculantWeight weight, TrainableWeight bias, boolean transB,
            float alpha, float beta) {
        this.node = node;
        this.in = in;
        this.out = out;
        this.weight = weight;
        this.transB = transB;
        this.alpha = alpha;
        this.bias = GemmBias.of(node, bias, beta, transB ? weight.rows() : weight.cols());
    }

    @Override
    public Node node() {
        return node;
    }

    @Override
    public int in() {
        return in;
    }

    @Override
    public int out() {
        return out;
    }

    @Override
    public List<TrainableWeight> weights() {
        List<TrainableWeight> ws = new ArrayList<>(List.of(weight));
        if (bias != null) {
            ws.add(bias.weight());
        }
        return ws;
    }

    /** Rows of the input, checked against the weight's input side. */
    private int rows(Activations a) {
        int[] s = a.shapes[in];
        int k = transB ? weight.cols() : weight.rows();
        if (s.length != 2 || s[1] != k) {
            throw ConvGeometry.refuse(node, "input of shape " + Arrays.toString(s) + " is not [batch, " + k + "]");
        }
        return s[0];
    }

    @Override
    public void forward(Activations a, Parallelism par) {
        int m = rows(a);
        // transB=1 stores W as [out, in]: each row x gives W x. Otherwise W is [in, out] and the row gives W^T x.
        float[] y = weight.multiply(a.values[in], m, !transB, par);
        if (alpha != 1f) {
            for (int i = 0; i < y.length; i++) {
                y[i] *= alpha;
            }
        }
        if (bias != null) {
            bias.forward(y, m);
        }
        a.set(out, y, new int[] {m, y.length / m});
    }

    @Override
    public void backward(Activations a, boolean[] needsGrad, Parallelism par) {
        int m = rows(a);
        float[] dy = a.grads[out];
        if (bias != null) {
            bias.backward(dy, m);
        }
        float[] dz = dy;
        if (alpha != 1f) {
            dz = dy.clone();
            for (int i = 0; i < dz.length; i++) {
                dz[i] *= alpha;
            }
        }
        float[] dx = weight.backward(a.values[in], dz, m, !transB, needsGrad[in], par);
        if (dx != null) {
            float[] g = a.grad(in);
            for (int i = 0; i < dx.length; i++) {
                g[i] += dx[i];
            }
        }
    }
}
