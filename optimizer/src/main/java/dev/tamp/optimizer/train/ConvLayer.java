package dev.tamp.optimizer.train;

import dev.tamp.model.ir.Node;
import dev.tamp.model.ops.Parallelism;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * 2-D convolution with groups, pads, strides and dilations, trainable weight and optional bias, by im2col and GEMM
 * as the reference executor computes it. Per group, with {@code cols} the im2col matrix of an image:
 * {@code Y = W cols + b}, so {@code dW = dY cols^T} (streamed as im2row rows), {@code db = sum dY} and
 * {@code dX = col2im(W^T dY)}.
 *
 * <p>The backward pass splits the batch into {@link Products#REDUCTION_CHUNKS} chunks spread over the threads; each
 * chunk sums its images' weight gradient and the partial sums are added in chunk order, so the result does not
 * depend on the thread count.
 */
final class ConvLayer implements Layer {
    /** Same target width as the executor's im2col, so that several small feature maps share one GEMM. */
    private static final int IM2COL_COLUMNS = 1024;

    private final Node node;
    private final int in;
    private final int out;
    private final TrainableWeight weight;
    private final TrainableWeight bias;
    private final int group;
    private final int[] wDims;

    ConvLayer(Node node, int in, int out, TrainableWeight weight, TrainableWeight bias) {
        this.node = node;
        this.in = in;
        this.out = out;
        this.weight = weight;
        this.bias = bias;
        this.wDims = weight.dims();
        long g = node.attributes().getInt("group", 1);
        if (wDims.length != 4) {
            throw ConvGeometry.refuse(node, "only 2-D convolutions can be trained, weight is "
                    + Arrays.toString(wDims));
        }
        if (g < 1 || wDims[0] % g != 0) {
            throw ConvGeometry.refuse(node, "group " + g + " does not divide the " + wDims[0] + " output channels");
        }
        this.group = (int) g;
        if (bias != null && (bias.dims().length != 1 || bias.dims()[0] != wDims[0])) {
            throw ConvGeometry.refuse(node, "bias must have shape [" + wDims[0] + "]");
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

    private ConvGeometry geometry(int[] xs) {
        if (xs.length != 4 || xs[1] != wDims[1] * group) {
            throw ConvGeometry.refuse(node, "input " + Arrays.toString(xs) + " does not match weight "
                    + Arrays.toString(wDims) + " with group " + group);
        }
        return ConvGeometry.of(node, xs[2], xs[3], wDims[2], wDims[3]);
    }

    @Override
    public void forward(Activations a, Parallelism par) {
        int[] xs = a.shapes[in];
        ConvGeometry geo = geometry(xs);
        int n = xs[0];
        int c = xs[1];
        int m = wDims[0];
        int mg = m / group;
        int cg = c / group;
        int k = cg * geo.kernelSize();
        int p = geo.outSize();
        float[] x = a.values[in];
        float[] w = weight.dense();
        float[] b = bias == null ? null : bias.dense();
        float[] y = new float[n * m * p];
        int side = Math.max(1, Math.min(n, IM2COL_COLUMNS / p));
        par.forRange(n, (from, to) -> {
            float[][] cols = new float[k][side * p];
            float[][] acc = new float[mg][side * p];
            for (int img0 = from; img0 < to; img0 += side) {
                int count = Math.min(side, to - img0);
                int width = count * p;
                for (int g = 0; g < group; g++) {
                    for (int oc = 0; oc < mg; oc++) {
                        Arrays.fill(acc[oc], 0, width, b == null ? 0f : b[g * mg + oc]);
                    }
                    for (int q = 0; q < count; q++) {
                        geo.im2col(x, ((img0 + q) * c + g * cg) * geo.inSize(), cg, cols, q * p);
                    }
                    Products.gemm(mg, width, k, w, g * mg * k, k, cols, acc);
                    for (int q = 0; q < count; q++) {
                        int outBase = ((img0 + q) * m + g * mg) * p;
                        for (int oc = 0; oc < mg; oc++) {
                            System.arraycopy(acc[oc], q * p, y, outBase + oc * p, p);
                        }
                    }
                }
            }
        });
        a.set(out, y, new int[] {n, m, geo.outH(), geo.outW()});
    }

    @Override
    public void backward(Activations a, boolean[] needsGrad, Parallelism par) {
        int[] xs = a.shapes[in];
        ConvGeometry geo = geometry(xs);
        int n = xs[0];
        int c = xs[1];
        int m = wDims[0];
        int mg = m / group;
        int cg = c / group;
        int k = cg * geo.kernelSize();
        int p = geo.outSize();
        float[] x = a.values[in];
        float[] dy = a.grads[out];
        float[] w = weight.dense();
        boolean wantDx = needsGrad[in];
        float[] dx = wantDx ? a.grad(in) : null;
        float[][] wT = new float[group][];
        for (int g = 0; g < group; g++) {
            wT[g] = Products.transpose(Arrays.copyOfRange(w, g * mg * k, (g + 1) * mg * k), mg, k);
        }
        int side = Math.max(1, Math.min(n, IM2COL_COLUMNS / p));
        int chunks = Products.chunkCount(n);
        float[][][] dwParts = new float[chunks][][];
        double[][] dbParts = new double[chunks][];
        Products.forChunks(par, n, (chunk, from, to) -> {
            float[][] dw = new float[m][k];
            double[] db = new double[m];
            float[][] fieldRows = new float[side * p][k];
            float[][] dyRows = new float[mg][side * p];
            float[] dyFlat = new float[mg * side * p];
            float[][] dcols = wantDx ? new float[k][side * p] : null;
            for (int img0 = from; img0 < to; img0 += side) {
                int count = Math.min(side, to - img0);
                int width = count * p;
                for (int g = 0; g < group; g++) {
                    for (int oc = 0; oc < mg; oc++) {
                        float[] row = dyRows[oc];
                        for (int q = 0; q < count; q++) {
                            System.arraycopy(dy, ((img0 + q) * m + g * mg + oc) * p, row, q * p, p);
                        }
                        System.arraycopy(row, 0, dyFlat, oc * width, width);
                        double s = 0;
                        for (int j = 0; j < width; j++) {
                            s += row[j];
                        }
                        db[g * mg + oc] += s;
                    }
                    for (int q = 0; q < count; q++) {
                        geo.im2row(x, ((img0 + q) * c + g * cg) * geo.inSize(), cg, fieldRows, q * p);
                    }
                    Products.gemm(mg, k, width, dyFlat, 0, width, fieldRows, Products.slice(dw, g * mg, (g + 1) * mg));
                    if (wantDx) {
                        for (float[] r : dcols) {
                            Arrays.fill(r, 0, width, 0f);
                        }
                        Products.gemm(k, width, mg, wT[g], 0, mg, dyRows, dcols);
                        for (int q = 0; q < count; q++) {
                            geo.col2im(dcols, q * p, dx, ((img0 + q) * c + g * cg) * geo.inSize(), cg);
                        }
                    }
                }
            }
            dwParts[chunk] = dw;
            dbParts[chunk] = db;
        });
        float[] dW = weight.denseGrad();
        for (float[][] part : dwParts) {
            if (part != null) {
                Products.addInto(part, dW);
            }
        }
        if (bias != null) {
            float[] dB = bias.denseGrad();
            for (int oc = 0; oc < m; oc++) {
                double s = 0;
                for (double[] part : dbParts) {
                    s += part == null ? 0 : part[oc];
                }
                dB[oc] += (float) s;
            }
        }
    }
}
