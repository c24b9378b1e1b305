package dev.tamp.optimizer.train;

import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Weight;
import java.util.HashMap;
import java.util.Map;

/**
 * A naive double-precision evaluation of a graph's loss, written independently of the engine (direct loops, no
 * im2col, no GEMM), so that central finite differences of it are accurate to ~1e-10 and check the engine's float
 * backward pass. Weights can be overridden by name with double arrays.
 */
final class DoubleReference {
    private final Graph graph;

    DoubleReference(Graph graph) {
        this.graph = graph;
    }

    /** A tensor in double: data and shape. */
    record T(double[] v, int[] s) {}

    /** Mean loss of the batch: cross-entropy, or the distillation mix when {@code teacherLogits} is given. */
    double loss(Map<String, double[]> overrides, double[] input, int[] shape, int[] labels, double[] teacherLogits,
            double temperature, double weight) {
        double[] z = logits(overrides, input, shape).v;
        int classes = z.length / labels.length;
        double total = 0;
        for (int i = 0; i < labels.length; i++) {
            double[] row = java.util.Arrays.copyOfRange(z, i * classes, (i + 1) * classes);
            double[] p = softmax(row, 1);
            double hard = -Math.log(p[labels[i]]);
            double kl = 0;
            if (teacherLogits != null && weight > 0) {
                double[] q = softmax(java.util.Arrays.copyOfRange(teacherLogits, i * classes, (i + 1) * classes),
                        temperature);
                double[] pt = softmax(row, temperature);
                for (int c = 0; c < classes; c++) {
                    kl += q[c] * Math.log(q[c] / pt[c]);
                }
            }
            total += (1 - weight) * hard + weight * temperature * temperature * kl;
        }
        return total / labels.length;
    }

    static double[] softmax(double[] z, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v / t);
        }
        double[] e = new double[z.length];
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            e[i] = Math.exp(z[i] / t - max);
            sum += e[i];
        }
        for (int i = 0; i < z.length; i++) {
            e[i] /= sum;
        }
        return e;
    }

    T logits(Map<String, double[]> overrides, double[] input, int[] shape) {
        Map<String, T> env = new HashMap<>();
        env.put(graph.inputs().stream().filter(v -> !graph.isWeight(v.name())).findFirst().orElseThrow().name(),
                new T(input, shape));
        for (Map.Entry<String, Weight> w : graph.weights().entrySet()) {
            double[] o = overrides.get(w.getKey());
            float[] f = w.getValue().representation().materialize().floats();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = o != null ? o[i] : f[i];
            }
            env.put(w.getKey(), new T(d, w.getValue().representation().dims()));
        }
        for (Node n : graph.nodes()) {
            env.put(n.output(0), eval(n, env));
        }
        return env.get(graph.outputs().get(0).name());
    }

    private T eval(Node n, Map<String, T> env) {
        T x = env.get(n.input(0));
        var a = n.attributes();
        switch (n.opType()) {
            case "Gemm":
            case "MatMul": {
                T w = env.get(n.input(1));
                boolean tb = n.opType().equals("Gemm") && a.getInt("transB", 0) != 0;
                double alpha = n.opType().equals("Gemm") ? a.getFloat("alpha", 1f) : 1;
                double beta = n.opType().equals("Gemm") ? a.getFloat("beta", 1f) : 1;
                int m = x.s[0];
                int k = x.s[1];
                int cols = tb ? w.s[0] : w.s[1];
                double[] y = new double[m * cols];
                T c = n.opType().equals("Gemm") && n.hasInput(2) ? env.get(n.input(2)) : null;
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < cols; j++) {
                        double s = 0;
                        for (int p = 0; p < k; p++) {
                            s += x.v[i * k + p] * (tb ? w.v[j * k + p] : w.v[p * cols + j]);
                        }
                        y[i * cols + j] = alpha * s + (c == null ? 0 : beta * c.v[c.v.length == 1 ? 0 : j]);
                    }
                }
                return new T(y, new int[] {m, cols});
            }
            case "Conv": {
                T w = env.get(n.input(1));
                T b = n.hasInput(2) ? env.get(n.input(2)) : null;
                int group = (int) a.getInt("group", 1);
                ConvGeometry g = ConvGeometry.of(n, x.s[2], x.s[3], w.s[2], w.s[3]);
                int batch = x.s[0];
                int c = x.s[1];
                int m = w.s[0];
                int cg = c / group;
                int mg = m / group;
                double[] y = new double[batch * m * g.outSize()];
                for (int img = 0; img < batch; img++) {
                    for (int oc = 0; oc < m; oc++) {
                        int grp = oc / mg;
                        for (int oh = 0; oh < g.outH(); oh++) {
                            for (int ow = 0; ow < g.outW(); ow++) {
                                double s = b == null ? 0 : b.v[oc];
                                for (int ic = 0; ic < cg; ic++) {
                                    for (int kh = 0; kh < g.kH(); kh++) {
                                        for (int kw = 0; kw < g.kW(); kw++) {
                                            int ih = oh * g.strideH() - g.padTop() + kh * g.dilH();
                                            int iw = ow * g.strideW() - g.padLeft() + kw * g.dilW();
                                            if (ih >= 0 && ih < g.inH() && iw >= 0 && iw < g.inW()) {
                                                s += x.v[((img * c + grp * cg + ic) * g.inH() + ih) * g.inW() + iw]
                                                        * w.v[((oc * cg + ic) * g.kH() + kh) * g.kW() + kw];
                                            }
                                        }
                                    }
                                }
                                y[((img * m + oc) * g.outH() + oh) * g.outW() + ow] = s;
                            }
                        }
                    }
                }
                return new T(y, new int[] {batch, m, g.outH(), g.outW()});
            }
            case "MaxPool": {
                long[] ks = a.getInts("kernel_shape");
                ConvGeometry g = ConvGeometry.of(n, x.s[2], x.s[3], (int) ks[0], (int) ks[1]);
                int planes = x.s[0] * x.s[1];
                double[] y = new double[planes * g.outSize()];
                for (int pl = 0; pl < planes; pl++) {
                    for (int oh = 0; oh < g.outH(); oh++) {
                        for (int ow = 0; ow < g.outW(); ow++) {
                            double best = Double.NEGATIVE_INFINITY;
                            for (int kh = 0; kh < g.kH(); kh++) {
                                for (int kw = 0; kw < g.kW(); kw++) {
                                    int ih = oh * g.strideH() - g.padTop() + kh * g.dilH();
                                    int iw = ow * g.strideW() - g.padLeft() + kw * g.dilW();
                                    if (ih >= 0 && ih < g.inH() && iw >= 0 && iw < g.inW()) {
                                        best = Math.max(best, x.v[(pl * g.inH() + ih) * g.inW() + iw]);
                                    }
                                }
                            }
                            y[(pl * g.outH() + oh) * g.outW() + ow] = best;
                        }
                    }
                }
                return new T(y, new int[] {x.s[0], x.s[1], g.outH(), g.outW()});
            }
            case "Relu": {
                double[] y = x.v.clone();
                for (int i = 0; i < y.length; i++) {
                    y[i] = Math.max(0, y[i]);
                }
                return new T(y, x.s);
            }
            case "Add": {
                T r = env.get(n.input(1));
                double[] y = new double[x.v.length];
                for (int i = 0; i < y.length; i++) {
                    y[i] = x.v[i] + r.v[i];
                }
                return new T(y, x.s);
            }
            case "Flatten":
                return new T(x.v, new int[] {x.s[0], x.v.length / x.s[0]});
            case "GlobalAveragePool": {
                int planes = x.s[0] * x.s[1];
                int size = x.v.length / planes;
                double[] y = new double[planes];
                for (int p = 0; p < planes; p++) {
                    for (int i = 0; i < size; i++) {
                        y[p] += x.v[p * size + i] / size;
                    }
                }
                return new T(y, new int[] {x.s[0], x.s[1], 1, 1});
            }
            case "BatchNormalization": {
                double[] gam = env.get(n.input(1)).v;
                double[] bet = env.get(n.input(2)).v;
                double[] mean = env.get(n.input(3)).v;
                double[] var = env.get(n.input(4)).v;
                double eps = a.getFloat("epsilon", 1e-5f);
                int inner = x.v.length / (x.s[0] * x.s[1]);
                double[] y = new double[x.v.length];
                for (int i = 0; i < y.length; i++) {
                    int c = (i / inner) % x.s[1];
                    y[i] = (x.v[i] - mean[c]) / Math.sqrt(var[c] + eps) * gam[c] + bet[c];
                }
                return new T(y, x.s);
            }
            default:
                throw new IllegalArgumentException(n.opType());
        }
    }
}
