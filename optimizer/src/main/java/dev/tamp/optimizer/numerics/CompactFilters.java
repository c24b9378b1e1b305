package dev.tamp.optimizer.numerics;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * Compact replacements of a k×k convolution (the survey's "transferred / compact convolutional filters"), initialized
 * from the weight alone and fitted by least squares to the layer's outputs through the patch moments of
 * {@link PatchGram}.
 *
 * <p>Layout: a layer's weight is {@code out × (in·K)} with column {@code c·K + k} (input channel c, kernel element k
 * of K = kh·kw), exactly a Conv weight's row-major layout; every error is {@code tr(Δ G Δᵀ)}, the summed squared
 * output difference on the samples (see {@link PatchGram}).
 *
 * <ul>
 *   <li><b>Depthwise-separable</b>: W'[o, c, ·] = P[o, c] · D[c, ·]. Data-free, the Frobenius-optimal choice is per
 *       input channel the rank-1 truncated SVD of the {@code out × K} slice W[:, c, ·] (Eckart–Young, channel by
 *       channel since the slices share no parameter). Then alternating least squares: with D fixed, the output is
 *       linear in (P, b); with P and b fixed, it is linear in D. Each half-step is accepted only if it does not
 *       increase the error, so the accepted errors never increase.</li>
 *   <li><b>Bottleneck</b> of width w: 1×1 (in→w) R, k×k (w→w) core, 1×1 (w→out) E plus bias. Data-free Tucker-2
 *       HOSVD: E = the top w left singular vectors of the mode-0 unfolding (out × in·K), Rᵀ those of the mode-1
 *       unfolding (in × out·K), core = W ×₀ Eᵀ ×₁ R. Then E and the bias are refitted by least squares with R and
 *       the core fixed (a linear problem), accepted if it lowers the error.</li>
 * </ul>
 */
public final class CompactFilters {
    /** Alternating rounds of the separable fit (each a pointwise and a depthwise solve). */
    public static final int SEPARABLE_ROUNDS = 10;
    /** A round improving the error by less than this fraction ends the alternation. */
    static final double CONVERGED = 1e-7;

    private CompactFilters() {}

    /** A convolution as its {@code out × in·K} weight and bias, in double. */
    public record Conv(int out, int in, int kernel, double[][] weight, double[] bias) {
        public Conv {
            if (weight.length != out || bias.length != out || out > 0 && weight[0].length != in * kernel) {
                throw new IllegalArgumentException("weight is not " + out + " x " + in + "·" + kernel);
            }
        }

        int dim() {
            return in * kernel + 1;
        }
    }

    /** A depthwise k×k ({@code in × K}) then a pointwise 1×1 ({@code out × in}) with bias. */
    public record Separable(double[][] depthwise, double[][] pointwise, double[] bias) {
        /** The k×k convolution it computes, {@code out × in·K}. */
        public double[][] effective() {
            int in = depthwise.length;
            int k = depthwise[0].length;
            double[][] w = new double[pointwise.length][in * k];
            for (int o = 0; o < w.length; o++) {
                for (int c = 0; c < in; c++) {
                    for (int j = 0; j < k; j++) {
                        w[o][c * k + j] = pointwise[o][c] * depthwise[c][j];
                    }
                }
            }
            return w;
        }
    }

    /** A 1×1 {@code reduce} (w × in), a k×k {@code core} (w × w·K) and a 1×1 {@code expand} (out × w) with bias. */
    public record Bottleneck(double[][] reduce, double[][] core, double[][] expand, double[] bias) {
        /** The first two stages as one k×k convolution in → w, {@code w × in·K}. */
        public double[][] front() {
            int w = reduce.length;
            int in = reduce[0].length;
            int k = core[0].length / w;
            double[][] a = new double[w][in * k];
            for (int j = 0; j < w; j++) {
                for (int i = 0; i < w; i++) {
                    for (int kk = 0; kk < k; kk++) {
                        double coreValue = core[j][i * k + kk];
                        if (coreValue == 0) {
                            continue;
                        }
                        for (int c = 0; c < in; c++) {
                            a[j][c * k + kk] += coreValue * reduce[i][c];
                        }
                    }
                }
            }
            return a;
        }

        /** The k×k convolution it computes, {@code out × in·K}. */
        public double[][] effective() {
            return multiply(expand, front());
        }
    }

    /**
     * A fit's result with the error of the data-free start and the errors of every accepted step, which never
     * increase.
     */
    public record Fit<T>(T result, double initialError, double error, List<Double> accepted) {
        public Fit {
            accepted = List.copyOf(accepted);
        }
    }

    /** The summed squared output difference between {@code (weight, bias)} and the layer on the samples of G. */
    public static double error(Conv layer, double[][] weight, double[] bias, double[][] gram) {
        int dim = layer.dim();
        double[] delta = new double[dim];
        double total = 0;
        for (int o = 0; o < layer.out(); o++) {
            for (int a = 0; a < dim - 1; a++) {
                delta[a] = weight[o][a] - layer.weight()[o][a];
            }
            delta[dim - 1] = bias[o] - layer.bias()[o];
            for (int a = 0; a < dim; a++) {
                if (delta[a] == 0) {
                    continue;
                }
                double[] row = gram[a];
                double s = 0;
                for (int j = 0; j < dim; j++) {
                    s += row[j] * delta[j];
                }
                total += delta[a] * s;
            }
        }
        // tr(Δ G Δᵀ) is a sum of non-negative terms; rounding can only leave a tiny negative residue for an exact fit.
        return Math.max(total, 0.0);
    }

    // ---- depthwise-separable ----

    /** Per input channel, the rank-1 truncated SVD of W[:, c, ·]: the Frobenius-optimal separable weight. */
    public static Separable separableInit(Conv layer) {
        int k = layer.kernel();
        double[][] depthwise = new double[layer.in()][k];
        double[][] pointwise = new double[layer.out()][layer.in()];
        for (int c = 0; c < layer.in(); c++) {
            double[][] slice = new double[layer.out()][k];
            for (int o = 0; o < layer.out(); o++) {
                System.arraycopy(layer.weight()[o], c * k, slice[o], 0, k);
            }
            SingularValueDecomposition svd = new SingularValueDecomposition(new Array2DRowRealMatrix(slice, false));
            double sigma = svd.getSingularValues()[0];
            double[] u = svd.getU().getColumn(0);
            double[] v = svd.getV().getColumn(0);
            // Fix the SVD's sign freedom: the largest-magnitude depthwise element is positive.
            double sign = Math.signum(v[argMaxAbs(v)]) < 0 ? -1 : 1;
            for (int j = 0; j < k; j++) {
                depthwise[c][j] = sign * v[j];
            }
            for (int o = 0; o < layer.out(); o++) {
                pointwise[o][c] = sign * sigma * u[o];
            }
        }
        return new Separable(depthwise, pointwise, layer.bias().clone());
    }

    /** The separable init refined by alternating least squares on G, keeping only steps that do not add error. */
    public static Fit<Separable> fitSeparable(Conv layer, double[][] gram) {
        Separable best = separableInit(layer);
        double initial = error(layer, best.effective(), best.bias(), gram);
        double bestError = initial;
        List<Double> accepted = new ArrayList<>(List.of(initial));
        for (int round = 0; round < SEPARABLE_ROUNDS; round++) {
            double roundStart = bestError;
            double[][] pb = fitOutputs(layer, depthwiseFeatures(best.depthwise(), layer), gram);
            Separable candidate = new Separable(best.depthwise(), columns(pb, 0, layer.in()),
                    column(pb, layer.in()));
            double e = error(layer, candidate.effective(), candidate.bias(), gram);
            if (e <= bestError) {
                best = candidate;
                bestError = e;
                accepted.add(e);
            }
            candidate = new Separable(fitDepthwise(layer, best.pointwise(), best.bias(), gram), best.pointwise(),
                    best.bias());
            e = error(layer, candidate.effective(), candidate.bias(), gram);
            if (e <= bestError) {
                best = candidate;
                bestError = e;
                accepted.add(e);
            }
            if (roundStart - bestError <= CONVERGED * roundStart) {
                break;
            }
        }
        return new Fit<>(best, initial, bestError, accepted);
    }

    /** S with {@code S[c·K + k][c] = D[c][k]} and the bias column: the depthwise outputs as features of a patch. */
    private static double[][] depthwiseFeatures(double[][] depthwise, Conv layer) {
        int k = layer.kernel();
        double[][] s = new double[layer.dim()][layer.in() + 1];
        for (int c = 0; c < layer.in(); c++) {
            for (int j = 0; j < k; j++) {
                s[c * k + j][c] = depthwise[c][j];
            }
        }
        s[layer.dim() - 1][layer.in()] = 1;
        return s;
    }

    /**
     * D minimizing the error with P and b' fixed. With M = [W | b − b'] the target is Σ_c P[:, c] (D[c] · patch_c), so
     * the normal equations are H d = r with H[(c,k),(c',k')] = (PᵀP)[c, c'] · G[cK+k, c'K+k'] and
     * r[(c,k)] = Σ_o P[o, c] (M G)[o, cK+k].
     */
    private static double[][] fitDepthwise(Conv layer, double[][] pointwise, double[] bias, double[][] gram) {
        int k = layer.kernel();
        int n = layer.in() * k;
        int dim = layer.dim();
        double[][] target = new double[layer.out()][dim];
        for (int o = 0; o < layer.out(); o++) {
            System.arraycopy(layer.weight()[o], 0, target[o], 0, n);
            target[o][n] = layer.bias()[o] - bias[o];
        }
        double[][] tg = multiply(target, gram);
        double[][] ptp = multiply(transpose(pointwise), pointwise);
        double[][] h = new double[n][n];
        double[][] r = new double[n][1];
        for (int a = 0; a < n; a++) {
            int c = a / k;
            for (int b = 0; b < n; b++) {
                h[a][b] = ptp[c][b / k] * gram[a][b];
            }
            double s = 0;
            for (int o = 0; o < layer.out(); o++) {
                s += pointwise[o][c] * tg[o][a];
            }
            r[a][0] = s;
        }
        double[][] d = RidgeSolver.solve(h, r);
        double[][] depthwise = new double[layer.in()][k];
        for (int a = 0; a < n; a++) {
            depthwise[a / k][a % k] = d[a][0];
        }
        return depthwise;
    }

    // ---- bottleneck ----

    /** The Tucker-2 HOSVD of the weight at width w (w ≤ in); singular vectors beyond a mode's rank are zero. */
    public static Bottleneck tucker2(Conv layer, int width) {
        int k = layer.kernel();
        int in = layer.in();
        if (width < 1 || width > in) {
            throw new IllegalArgumentException("width " + width + " outside [1, " + in + "]");
        }
        double[][] expand = leadingLeftVectors(layer.weight(), width);
        double[][] mode1 = new double[in][layer.out() * k];
        for (int o = 0; o < layer.out(); o++) {
            for (int c = 0; c < in; c++) {
                System.arraycopy(layer.weight()[o], c * k, mode1[c], o * k, k);
            }
        }
        double[][] reduce = transpose(leadingLeftVectors(mode1, width));
        double[][] t1 = multiply(transpose(expand), layer.weight());
        double[][] core = new double[width][width * k];
        for (int j = 0; j < width; j++) {
            for (int i = 0; i < width; i++) {
                for (int kk = 0; kk < k; kk++) {
                    double s = 0;
                    for (int c = 0; c < in; c++) {
                        s += t1[j][c * k + kk] * reduce[i][c];
                    }
                    core[j][i * k + kk] = s;
                }
            }
        }
        return new Bottleneck(reduce, core, expand, layer.bias().clone());
    }

    /** The Tucker-2 start with the last 1×1 and the bias refitted to the layer's outputs on G. */
    public static Fit<Bottleneck> fitBottleneck(Conv layer, int width, double[][] gram) {
        Bottleneck start = tucker2(layer, width);
        double initial = error(layer, start.effective(), start.bias(), gram);
        double[][] front = start.front();
        double[][] s = new double[layer.dim()][width + 1];
        for (int j = 0; j < width; j++) {
            for (int a = 0; a < layer.dim() - 1; a++) {
                s[a][j] = front[j][a];
            }
        }
        s[layer.dim() - 1][width] = 1;
        double[][] eb = fitOutputs(layer, s, gram);
        Bottleneck refit = new Bottleneck(start.reduce(), start.core(), columns(eb, 0, width), column(eb, width));
        double e = error(layer, refit.effective(), refit.bias(), gram);
        if (e <= initial) {
            return new Fit<>(refit, initial, e, List.of(initial, e));
        }
        return new Fit<>(start, initial, initial, List.of(initial));
    }

    // ---- shared least squares ----

    /**
     * The {@code out × f} map M minimizing Σ ‖[W | b] q − M Sᵀ q‖² over the samples: the outputs are linear in the
     * features Sᵀ q, so M solves (Sᵀ G S) Mᵀ = Sᵀ G [W | b]ᵀ.
     */
    private static double[][] fitOutputs(Conv layer, double[][] s, double[][] gram) {
        int dim = layer.dim();
        double[][] wb = new double[layer.out()][dim];
        for (int o = 0; o < layer.out(); o++) {
            System.arraycopy(layer.weight()[o], 0, wb[o], 0, dim - 1);
            wb[o][dim - 1] = layer.bias()[o];
        }
        double[][] gs = multiply(gram, s);
        double[][] normal = multiply(transpose(s), gs);
        double[][] rhs = multiply(transpose(gs), transpose(wb));
        return transpose(RidgeSolver.solve(normal, rhs));
    }

    /** The leading {@code count} left singular vectors of m as columns (rows × count), zero beyond its rank. */
    private static double[][] leadingLeftVectors(double[][] m, int count) {
        RealMatrix u = new SingularValueDecomposition(new Array2DRowRealMatrix(m, false)).getU();
        double[][] out = new double[m.length][count];
        for (int j = 0; j < Math.min(count, u.getColumnDimension()); j++) {
            double[] col = u.getColumn(j);
            double sign = col[argMaxAbs(col)] < 0 ? -1 : 1;
            for (int i = 0; i < m.length; i++) {
                out[i][j] = sign * col[i];
            }
        }
        return out;
    }

    private static int argMaxAbs(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (Math.abs(v[i]) > Math.abs(v[best])) {
                best = i;
            }
        }
        return best;
    }

    static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        int m = b[0].length;
        double[][] c = new double[n][m];
        for (int i = 0; i < n; i++) {
            double[] ci = c[i];
            for (int k = 0; k < b.length; k++) {
                double aik = a[i][k];
                if (aik == 0) {
                    continue;
                }
                double[] bk = b[k];
                for (int j = 0; j < m; j++) {
                    ci[j] += aik * bk[j];
                }
            }
        }
        return c;
    }

    static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    private static double[][] columns(double[][] m, int from, int to) {
        double[][] out = new double[m.length][to - from];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], from, out[i], 0, to - from);
        }
        return out;
    }

    private static double[] column(double[][] m, int j) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i][j];
        }
        return out;
    }
}
