package dev.tamp.optimizer.train;

import dev.tamp.model.ir.Node;
import dev.tamp.model.ops.Parallelism;
import java.util.Arrays;

/** The layers without trainable weights: activations, residual Add, reshapes, pooling, inference-mode BatchNorm. */
final class SimpleLayers {
    private SimpleLayers() {}

    /** Relu: {@code y = max(x, 0)}, NaN passed through as the executor does; {@code dx = dy} where {@code y > 0}. */
    record Relu(Node node, int in, int out) implements Layer.Unary {
        @Override
        public void forward(Activations a, Parallelism par) {
            float[] x = a.values[in];
            float[] y = new float[x.length];
            Products.forElements(par, x.length, (from, to) -> {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    y[i] = v > 0f ? v : (v == v ? 0f : v);
                }
            });
            a.set(out, y, a.shapes[in]);
        }

        @Override
        public void backward(Activations a, boolean[] needsGrad, Parallelism par) {
            if (!needsGrad[in]) {
                return;
            }
            float[] y = a.values[out];
            float[] dy = a.grads[out];
            float[] dx = a.grad(in);
            Products.forElements(par, y.length, (from, to) -> {
                for (int i = from; i < to; i++) {
                    dx[i] += y[i] > 0f ? dy[i] : 0f;
                }
            });
        }
    }

    /** Add of two tensors of the same shape (a residual connection): both inputs receive {@code dy}. */
    record Add(Node node, int left, int right, int out) implements Layer {
        @Override
        public void forward(Activations a, Parallelism par) {
            if (!Arrays.equals(a.shapes[left], a.shapes[right])) {
                throw ConvGeometry.refuse(node, "operands of shapes " + Arrays.toString(a.shapes[left]) + " and "
                        + Arrays.toString(a.shapes[right]) + " differ (broadcasting Add cannot be trained)");
            }
            float[] l = a.values[left];
            float[] r = a.values[right];
            float[] y = new float[l.length];
            for (int i = 0; i < y.length; i++) {
                y[i] = l[i] + r[i];
            }
            a.set(out, y, a.shapes[left]);
        }

        @Override
        public void backward(Activations a, boolean[] needsGrad, Parallelism par) {
            float[] dy = a.grads[out];
            for (int slot : new int[] {left, right}) {
                if (needsGrad[slot]) {
                    float[] d = a.grad(slot);
                    for (int i = 0; i < d.length; i++) {
                        d[i] += dy[i];
                    }
                }
            }
        }

        @Override
        public int[] inputs() {
            return new int[] {left, right};
        }

        @Override
        public int output() {
            return out;
        }
    }

    /** Flatten at {@code axis}: the same elements, a 2-D shape; the gradient passes through unchanged. */
    record Flatten(Node node, int in, int out) implements Layer.Unary {
        @Override
        public void forward(Activations a, Parallelism par) {
            int[] s = a.shapes[in];
            long axis = node.attributes().getInt("axis", 1);
            if (axis < 0) {
                axis += s.length;
            }
            if (axis < 0 || axis > s.length) {
                throw ConvGeometry.refuse(node, "axis " + axis + " outside rank " + s.length);
            }
            long outer = 1;
            for (int i = 0; i < axis; i++) {
                outer *= s[i];
            }
            a.set(out, a.values[in], new int[] {(int) outer, (int) (a.values[in].length / Math.max(1, outer))});
        }

        @Override
        public void backward(Activations a, boolean[] needsGrad, Parallelism par) {
            if (needsGrad[in]) {
                a.addGrad(in, a.grads[out]);
            }
        }
    }

    /** GlobalAveragePool: one mean per (image, channel), summed in float like the executor; {@code dx = dy / size}. */
    record GlobalAveragePool(Node node, int in, int out) implements Layer.Unary {
        @Override
        public void forward(Activations a, Parallelism par) {
            int[] s = a.shapes[in];
            if (s.length < 3) {
                throw ConvGeometry.refuse(node, "input must have rank >= 3");
            }
            int planes = s[0] * s[1];
            float[] x = a.values[in];
            int size = x.length / Math.max(1, planes);
            float[] y = new float[planes];
            for (int plane = 0; plane < planes; plane++) {
                float sum = 0f;
                for (int i = 0; i < size; i++) {
                    sum += x[plane * size + i];
                }
                y[plane] = sum / size;
            }
            int[] shape = new int[s.length];
            Arrays.fill(shape, 1);
            shape[0] = s[0];
            shape[1] = s[1];
            a.set(out, y, shape);
        }

        @Override
        public void backward(Activations a, boolean[] needsGrad, Parallelism par) {
            if (!needsGrad[in]) {
                return;
            }
            float[] dy = a.grads[out];
            float[] dx = a.grad(in);
            int size = dx.length / dy.length;
            for (int plane = 0; plane < dy.length; plane++) {
                float d = dy[plane] / size;
                for (int i = 0; i < size; i++) {
                    dx[plane * size + i] += d;
                }
            }
        }
    }

    /**
     * BatchNormalization in inference mode: the per-channel affine map {@code y = x a + b} from the running
     * statistics, which stay fixed (their scale and shift are not trained); {@code dx = dy a}. Training-mode batch
     * statistics are refused.
     */
    record BatchNorm(Node node, int in, int out, float[] scale, float[] shift) implements Layer.Unary {
        static BatchNorm of(Node node, int in, int out, float[] gamma, float[] beta, float[] mean, float[] var) {
            if (node.attributes().getInt("training_mode", 0) != 0) {
                throw ConvGeometry.refuse(node, "training_mode=1 (batch statistics) is not supported; inference-mode "
                        + "BatchNormalization is trained as a fixed affine map");
            }
            float epsilon = node.attributes().getFloat("epsilon", 1e-5f);
            int c = gamma.length;
            float[] s = new float[c];
            float[] b = new float[c];
            for (int i = 0; i < c; i++) {
                // The executor's formula, so the forward pass matches it exactly.
                s[i] = (float) (gamma[i] / Math.sqrt((double) var[i] + epsilon));
                b[i] = beta[i] - mean[i] * s[i];
            }
            return new BatchNorm(node, in, out, s, b);
        }

        @Override
        public void forward(Activations a, Parallelism par) {
            int[] xs = a.shapes[in];
            float[] x = a.values[in];
            float[] y = new float[x.length];
            int channels = xs[1];
            if (channels != scale.length) {
                throw ConvGeometry.refuse(node, "input has " + channels + " channels, statistics " + scale.length);
            }
            int inner = x.length / (xs[0] * channels);
            for (int i = 0; i < x.length; i++) {
                int ch = (i / inner) % channels;
                y[i] = x[i] * scale[ch] + shift[ch];
            }
            a.set(out, y, xs);
        }

        @Override
        public void backward(Activations a, boolean[] needsGrad, Parallelism par) {
            if (!needsGrad[in]) {
                return;
            }
            int[] xs = a.shapes[in];
            float[] dy = a.grads[out];
            float[] dx = a.grad(in);
            int inner = dx.length / (xs[0] * xs[1]);
            for (int i = 0; i < dx.length; i++) {
                dx[i] += dy[i] * scale[(i / inner) % xs[1]];
            }
        }
    }

    /**
     * MaxPool over 2-D windows (pads never win, ties go to the first element like the executor); the forward pass
     * records each output's source element and the backward pass routes {@code dy} to it.
     */
    static final class MaxPool implements Layer {
        private final Node node;
        private final int in;
        private final int out;
        private final int kH;
        private final int kW;
        /** Kept across steps: the output and each output's source element. */
        private float[] output;
        private int[] argmax;

        MaxPool(Node node, int in, int out) {
            this.node = node;
            this.in = in;
            this.out = out;
            long[] kernel = node.attributes().getInts("kernel_shape");
            if (kernel == null || kernel.length != 2) {
                throw ConvGeometry.refuse(node, "only 2-D pooling windows can be trained");
            }
            if (node.outputs().size() > 1 && !node.output(1).isEmpty()) {
                throw ConvGeometry.refuse(node, "the Indices output is not supported");
            }
            this.kH = (int) kernel[0];
            this.kW = (int) kernel[1];
        }

        @Override
        public Node node() {
            return node;
        }

        @Override
        public void forward(Activations a, Parallelism par) {
            int[] xs = a.shapes[in];
            if (xs.length != 4) {
                throw ConvGeometry.refuse(node, "input must be [N, C, H, W], is " + Arrays.toString(xs));
            }
            ConvGeometry g = ConvGeometry.of(node, xs[2], xs[3], kH, kW);
            int planes = xs[0] * xs[1];
            int p = g.outSize();
            float[] x = a.values[in];
            float[] y = output = Products.reuse(output, planes * p);
            if (argmax == null || argmax.length != planes * p) {
                argmax = new int[planes * p];
            }
            int[] arg = argmax;
            // Every window inside the plane (no pads reach it): no bounds to check per element.
            boolean inside = g.padTop() == 0 && g.padLeft() == 0
                    && (g.outH() - 1) * g.strideH() + (kH - 1) * g.dilH() < g.inH()
                    && (g.outW() - 1) * g.strideW() + (kW - 1) * g.dilW() < g.inW();
            par.forRange(planes, (from, to) -> {
                for (int plane = from; plane < to; plane++) {
                    int base = plane * g.inSize();
                    int o = plane * p;
                    if (inside) {
                        poolInside(g, x, base, y, arg, o);
                        continue;
                    }
                    for (int oh = 0; oh < g.outH(); oh++) {
                        for (int ow = 0; ow < g.outW(); ow++, o++) {
                            float best = Float.NEGATIVE_INFINITY;
                            int where = -1;
                            for (int kh = 0; kh < kH; kh++) {
                                int ih = oh * g.strideH() - g.padTop() + kh * g.dilH();
                                if (ih < 0 || ih >= g.inH()) {
                                    continue;
                                }
                                for (int kw = 0; kw < kW; kw++) {
                                    int iw = ow * g.strideW() - g.padLeft() + kw * g.dilW();
                                    if (iw < 0 || iw >= g.inW()) {
                                        continue;
                                    }
                                    int idx = base + ih * g.inW() + iw;
                                    float v = x[idx];
                                    if (where < 0 || v > best || v != v) {
                                        best = v;
                                        where = idx;
                                    }
                                }
                            }
                            y[o] = best;
                            arg[o] = where;
                        }
                    }
                }
            });
            a.set(out, y, new int[] {xs[0], xs[1], g.outH(), g.outW()});
        }

        /** One plane whose windows all lie inside it: the same comparisons as the general loop, without branches. */
        private void poolInside(ConvGeometry g, float[] x, int base, float[] y, int[] arg, int o) {
            int inW = g.inW();
            for (int oh = 0; oh < g.outH(); oh++) {
                int rowBase = base + oh * g.strideH() * inW;
                for (int ow = 0; ow < g.outW(); ow++, o++) {
                    int corner = rowBase + ow * g.strideW();
                    float best = x[corner];
                    int where = corner;
                    for (int kh = 0; kh < kH; kh++) {
                        int idx = corner + kh * g.dilH() * inW;
                        for (int kw = 0; kw < kW; kw++, idx += g.dilW()) {
                            // Bit masks instead of a branch: which element wins is data, not a pattern to predict
                            // (C2 keeps a branch for the ternary form; measured 3 ms against 9 ms per batch).
                            float v = x[idx];
                            int wins = -((v > best | v != v) ? 1 : 0);
                            where = idx & wins | where & ~wins;
                            best = Float.intBitsToFloat(Float.floatToRawIntBits(v) & wins
                                    | Float.floatToRawIntBits(best) & ~wins);
                        }
                    }
                    y[o] = best;
                    arg[o] = where;
                }
            }
        }

        @Override
        public void backward(Activations a, boolean[] needsGrad, Parallelism par) {
            if (!needsGrad[in]) {
                return;
            }
            float[] dy = a.grads[out];
            float[] dx = a.grad(in);
            int[] xs = a.shapes[in];
            int planes = xs[0] * xs[1];
            int p = dy.length / planes;
            // Whole planes per thread: a plane's outputs route only into the same input plane, in the same order.
            Products.forElements(par, planes, Products.ELEMENT_GRAIN / Math.max(1, p), (from, to) -> {
                for (int o = from * p; o < to * p; o++) {
                    dx[argmax[o]] += dy[o];
                }
            });
        }

        @Override
        public int[] inputs() {
            return new int[] {in};
        }

        @Override
        public int output() {
            return out;
        }
    }
}
