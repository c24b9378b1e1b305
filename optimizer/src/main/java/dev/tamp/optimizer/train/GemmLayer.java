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
    /** Kept across steps: the output, and op(W) or its transpose laid out as B of a product. */
    private float[] output;
    private float[] wScratch;

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
        float[] opW = w;
        if (transB) {
            wScratch = Products.reuse(wScratch, w.length);
            Products.transposeInto(w, nDim, kDim, wScratch);
            opW = wScratch;
        }
        float[] y = output = Products.zeroed(output, m * nDim);
        Products.multiplyAdd(par, m, nDim, kDim, a.values[in], 0, kDim, 1, opW, 0, nDim, y);
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
                int row = i * nDim;
                for (int j = 0; j < nDim; j++) {
                    y[row + j] += beta * c[scalar ? 0 : j];
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
            // Column sums row by row: each column still adds its rows in increasing order.
            double[] sums = new double[nDim];
            for (int i = 0; i < m; i++) {
                int row = i * nDim;
                for (int j = 0; j < nDim; j++) {
                    sums[j] += dy[row + j];
                }
            }
            float[] dc = bias.denseGrad();
            boolean scalar = dc.length == 1 && nDim != 1;
            for (int j = 0; j < nDim; j++) {
                dc[scalar ? 0 : j] += (float) (beta * sums[j]);
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
        // The weight gradient is summed straight into denseGrad(), which zeroGrad() cleared: 0 + (products in
        // order), as a separate sum added to zero would give.
        if (transB) {
            // dW (n x k) = dZ^T X: dZ read transposed in place.
            Products.multiplyAdd(par, nDim, kDim, m, dz, 0, 1, nDim, x, 0, kDim, weight.denseGrad());
        } else {
            // dW (k x n) = X^T dZ.
            Products.multiplyAdd(par, kDim, nDim, m, x, 0, 1, kDim, dz, 0, nDim, weight.denseGrad());
        }
        if (needsGrad[in]) {
            float[] opWt = w;
            if (!transB) {
                wScratch = Products.reuse(wScratch, w.length);
                Products.transposeInto(w, kDim, nDim, wScratch);
                opWt = wScratch;
            }
            // dX (m x k) = dZ op(W)^T, summed into the gradient directly when this layer is its first contributor.
            boolean first = a.grads[in] == null;
            float[] dx = a.grad(in);
            float[] sum = first ? dx : new float[dx.length];
            Products.multiplyAdd(par, m, kDim, nDim, dz, 0, nDim, 1, opWt, 0, kDim, sum);
            if (!first) {
                for (int i = 0; i < dx.length; i++) {
                    dx[i] += sum[i];
                }
            }
        }
    }
}
