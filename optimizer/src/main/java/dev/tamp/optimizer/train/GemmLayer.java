package dev.tamp.optimizer.train;

import dev.tamp.model.ir.Node;
import dev.tamp.model.ops.Parallelism;
import java.util.ArrayList;
import java.util.List;

/**
 * Gemm ({@code Y = alpha A op(W) + beta C}, transA=0) and 2-D MatMul ({@code Y = A W}) with a trainable weight W and
 * optional trainable bias C broadcast along rows. With {@code Z = A op(W)}: {@code dA = alpha dY op(W)^T},
 * {@code dop(W) = alpha A^T dY}, {@code dC = beta} (dY summed over rows).
 */
final class GemmLayer implements Layer {
    private final Node node;
    private final int in;
    private final int out;
    private final TrainableWeight weight;
    private final TrainableWeight bias;
    private final boolean transB;
    private final float alpha;
    private final float beta;
    private final int kDim;
    private final int nDim;

    GemmLayer(Node node, int in, int out, TrainableWeight weight, TrainableWeight bias, boolean transB, float alpha,
            float beta) {
        this.node = node;
        this.in = in;
        this.out = out;
        this.weight = weight;
        this.bias = bias;
        this.transB = transB;
        this.alpha = alpha;
        this.beta = beta;
        int[] w = weight.dims();
        if (w.length != 2) {
            throw ConvGeometry.refuse(node, "weight " + weight.name() + " must be 2-D");
        }
        this.kDim = transB ? w[1] : w[0];
        this.nDim = transB ? w[0] : w[1];
        if (bias != null) {
            int[] c = bias.dims();
            long size = dev.tamp.model.ir.Tensor.elementCount(c);
            boolean perColumn = size == nDim && (c.length == 1 || c.length == 2 && c[0] == 1);
            if (!perColumn && size != 1) {
                throw ConvGeometry.refuse(node, "bias " + bias.name() + " of shape " + java.util.Arrays.toString(c)
                        + " is not one value per output column or a scalar");
            }
        }
    }

    @Override
    public Node node() {
        return node;
    }

    @Override
    public int[] inputs() {
        return new int[] {in};
    }

    @Override
    public int output() {
        return out;
    }

    @Override
    public List<TrainableWeight> weights() {
        List<TrainableWeight> ws = new ArrayList<>(List.of(weight));
        if (bias != null) {
            ws.add(bias);
        }
        return ws;
    }

    private int rows(Activations a) {
        int[] s = a.shapes[in];
        if (s.length != 2 || s[1] != kDim) {
            throw ConvGeometry.refuse(node, "input of shape " + java.util.Arrays.toString(s) + " is not [batch, "
                    + kDim + "]");
        }
        return s[0];
    }

    @Override
    public void forward(Activations a, Parallelism par) {
        int m = rows(a);
        float[] w = weight.dense();
        float[][] bRows = transB ? Products.transposeRows(w, nDim, kDim) : Products.rows(w, kDim, nDim);
        float[][] acc = Products.multiply(par, m, nDim, kDim, a.values[in], bRows);
        float[] y = new float[m * nDim];
        Products.copyInto(acc, y);
        // Same order of operations as the reference executor's Gemm, so the forward pass matches it exactly.
        if (alpha != 1f) {
            for (int i = 0; i < y.length; i++) {
                y[i] *= alpha;
            }
        }
        if (bias != null && beta != 0f) {
            float[] c = bias.dense();
            boolean scalar = c.length == 1 && nDim != 1;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < nDim; j++) {
                    y[i * nDim + j] += beta * c[scalar ? 0 : j];
                }
            }
        }
        a.set(out, y, new int[] {m, nDim});
    }

    @Override
    public void backward(Activations a, boolean[] needsGrad, Parallelism par) {
        int m = rows(a);
        float[] dy = a.grads[out];
        if (bias != null && beta != 0f) {
            float[] dc = bias.denseGrad();
            boolean scalar = dc.length == 1 && nDim != 1;
            for (int j = 0; j < nDim; j++) {
                double sum = 0;
                for (int i = 0; i < m; i++) {
                    sum += dy[i * nDim + j];
                }
                dc[scalar ? 0 : j] += (float) (beta * sum);
            }
        }
        float[] dz = dy;
        if (alpha != 1f) {
            dz = dy.clone();
            for (int i = 0; i < dz.length; i++) {
                dz[i] *= alpha;
            }
        }
        float[] x = a.values[in];
        float[] w = weight.dense();
        float[][] dw = transB
                ? Products.multiply(par, nDim, kDim, m, Products.transpose(dz, m, nDim), Products.rows(x, m, kDim))
                : Products.multiply(par, kDim, nDim, m, Products.transpose(x, m, kDim), Products.rows(dz, m, nDim));
        Products.addInto(dw, weight.denseGrad());
        if (needsGrad[in]) {
            float[][] wt = transB ? Products.rows(w, nDim, kDim) : Products.transposeRows(w, kDim, nDim);
            Products.addInto(Products.multiply(par, m, kDim, nDim, dz, wt), a.grad(in));
        }
    }
}
