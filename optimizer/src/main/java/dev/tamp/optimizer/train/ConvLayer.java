package dev.tamp.optimizer.train;

import dev.tamp.model.ir.Node;
import dev.tamp.model.ops.Parallelism;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * 2-D convolution with groups, pads, strides and dilations, trainable weight and optional bias, by im2col and GEMM
 * as the reference executor computes it. Per group, with {@code cols} the im2col matrix of an image:
 * {@code Y = W cols + b}, so {@code dW^T = cols dY^T} (cols read from the input in place), {@code db = sum dY} and
 * {@code dX = col2im(W^T dY)}.
 *
 * <p>The backward pass splits the batch into {@link Products#REDUCTION_CHUNKS} chunks spread over the threads; each
 * chunk sums its images' weight gradient and the partial sums are added in chunk order, so the result does not
 * depend on the thread count.
 */
final class ConvLayer implements Layer {
    /** Positions per group of images in the backward pass: several small feature maps share one GEMM. */
    private static final int IM2COL_COLUMNS = 1024;

    private final Node node;
    private final int in;
    private final int out;
    private final TrainableWeight weight;
    private final TrainableWeight bias;
    private final int group;
    private final int[] wDims;
    /** Kept across steps: the output and the per-chunk weight gradients (transposed, {@code k x m}). */
    private float[] output;
    private float[][] dwParts;

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
        float[] y = output = Products.reuse(output, n * m * p);
        int[] wRows = Products.offsets(mg, k);
        int[] colOffsets = Products.offsets(k, 1);
        int[] colRows = Products.offsets(k, p);
        par.forRange(n, (from, to) -> {
            float[] cols = new float[k * p];
            for (int img = from; img < to; img++) {
                for (int g = 0; g < group; g++) {
                    int outBase = (img * m + g * mg) * p;
                    for (int oc = 0; oc < mg; oc++) {
                        Arrays.fill(y, outBase + oc * p, outBase + (oc + 1) * p, b == null ? 0f : b[g * mg + oc]);
                    }
                    geo.im2col(x, (img * c + g * cg) * geo.inSize(), cg, cols, p, 0);
                    Products.KERNEL.multiplyAdd(mg, p, k, w, g * mg * k, wRows, colOffsets, cols, 0, colRows, y,
                            outBase, p);
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
        // The bias gradient sums groups of `side` images in double, as it always has: the grouping is part of the
        // result. The weight gradient's order (image by image, position by position) does not depend on it.
        int side = Math.max(1, Math.min(n, IM2COL_COLUMNS / p));
        int chunks = Products.chunkCount(n);
        if (dwParts == null || dwParts.length != chunks || dwParts[0].length != m * k) {
            dwParts = new float[chunks][m * k];
        }
        float[][] parts = dwParts;
        double[][] dbParts = new double[chunks][];
        // Receptive fields read in place (from a zero-bordered copy when windows reach pads), no im2row.
        boolean padded = geo.readsPadding();
        int planeW = padded ? geo.paddedW() : geo.inW();
        int planeSize = padded ? geo.paddedH() * planeW : geo.inSize();
        int[] fields = geo.fieldOffsets(cg, planeSize, planeW);
        int[] windows = geo.windowOffsets(planeW);
        int[] wRows = Products.offsets(k, 1);
        int[] wCols = Products.offsets(mg, k);
        int[] dyRows = Products.offsets(mg, p);
        int[] dyTRows = Products.offsets(side * p, mg);
        Products.forChunks(par, n, (chunk, from, to) -> {
            float[] dwT = parts[chunk];
            Arrays.fill(dwT, 0f);
            double[] db = new double[m];
            float[] source = padded ? new float[side * cg * planeSize] : x;
            int[] positions = new int[side * p];
            float[] dyT = new float[side * p * mg];
            float[] dcols = wantDx ? new float[k * p] : null;
            for (int img0 = from; img0 < to; img0 += side) {
                int count = Math.min(side, to - img0);
                int width = count * p;
                for (int g = 0; g < group; g++) {
                    for (int q = 0; q < count; q++) {
                        int base = ((img0 + q) * c + g * cg) * geo.inSize();
                        if (padded) {
                            geo.padInto(x, base, cg, source, q * cg * planeSize);
                            base = q * cg * planeSize;
                        }
                        for (int pos = 0; pos < p; pos++) {
                            positions[q * p + pos] = base + windows[pos];
                        }
                    }
                    for (int oc = 0; oc < mg; oc++) {
                        double s = 0;
                        for (int q = 0; q < count; q++) {
                            int row = ((img0 + q) * m + g * mg + oc) * p;
                            for (int pos = 0; pos < p; pos++) {
                                float v = dy[row + pos];
                                s += v;
                                dyT[(q * p + pos) * mg + oc] = v;
                            }
                        }
                        db[g * mg + oc] += s;
                    }
                    // dW^T (k x mg) += fields (k x width, read in place) dY^T (width x mg): each element still adds
                    // its images' positions in order.
                    Products.KERNEL.multiplyAdd(k, mg, width, source, 0, fields, positions, dyT, 0, dyTRows, dwT,
                            g * mg, m);
                    if (wantDx) {
                        // Image by image, so that dcols stays in cache: dcols (k x p) = W^T dY, W read transposed in
                        // place; each element sums over the output channels.
                        for (int q = 0; q < count; q++) {
                            Arrays.fill(dcols, 0f);
                            Products.KERNEL.multiplyAdd(k, p, mg, w, g * mg * k, wRows, wCols, dy,
                                    ((img0 + q) * m + g * mg) * p, dyRows, dcols, 0, p);
                            geo.col2im(dcols, p, 0, dx, ((img0 + q) * c + g * cg) * geo.inSize(), cg);
                        }
                    }
                }
            }
            dbParts[chunk] = db;
        });
        float[] dW = weight.denseGrad();
        for (float[] part : parts) {
            for (int oc = 0; oc < m; oc++) {
                for (int kk = 0; kk < k; kk++) {
                    dW[oc * k + kk] += part[kk * m + oc];
                }
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
