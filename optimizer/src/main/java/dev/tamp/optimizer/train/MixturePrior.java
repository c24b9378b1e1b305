package dev.tamp.optimizer.train;

import dev.tamp.model.ir.SparseCodebook;
import dev.tamp.model.ops.Parallelism;
import java.util.List;

/**
 * Soft weight-sharing (Ullrich, Meeds and Welling 2017): the negative log of a Gaussian mixture prior over a weight's
 * elements, {@code strength * (-sum_i log sum_j pi_j N(w_i | mu_j, 1/lambda_j) + hyper-prior)}, whose means,
 * precisions and mixing proportions are trained with the weights, so that the weights gather tightly around a few
 * learned values; {@link #snap()} then sets each weight to the mean of its most responsible component, which makes
 * the weight a codebook, and the zero component's members pruned positions.
 *
 * <p>As the paper: component 0 has mean 0 and a fixed mixing proportion {@value #PI_ZERO}; the other {@code J - 1}
 * means start evenly spaced over the weight's range, their proportions share the rest through a softmax over trained
 * logits, and each precision has a Gamma hyper-prior, strong on the zero component (shape {@value #ALPHA_ZERO}) and
 * weaker on the others ({@value #ALPHA}), to keep a component from collapsing onto a single weight. Per layer rather
 * than one prior for the network, since tamp's codebooks are per layer; and scaled to the layer: every precision
 * starts, and its hyper-prior's mode sits, at {@code 1 / sigma^2} with {@code sigma} half the spacing of the initial
 * means. The prior's parameters learn at their own pace relative to the weights' learning rate, the paper's ratios
 * (means 0.2x, log-precisions and mixing logits 6x).
 *
 * <p>Gradients, with responsibilities {@code r_ij = pi_j N_ij / sum_k pi_k N_ik} and {@code d_ij = w_i - mu_j}:
 * {@code dR/dw_i = sum_j r_ij lambda_j d_ij}, {@code dR/dmu_j = -lambda_j sum_i r_ij d_ij}, {@code dR/d(log
 * lambda_j) = sum_i r_ij (lambda_j d_ij^2 - 1) / 2}, and for the logit {@code rho_k} of {@code pi_k = (1 - pi_0)
 * softmax(rho)_k}: {@code dR/drho_k = -(sum_i r_ik - softmax(rho)_k sum_i (1 - r_i0))}. Sums run in double over fixed
 * chunks of elements, added in chunk order.
 */
public final class MixturePrior implements Regularizer {
    static final double PI_ZERO = 0.99;
    static final double ALPHA_ZERO = 5000;
    static final double ALPHA = 250;
    private static final double MEANS_RATE = 0.2;
    private static final double SPREAD_RATE = 6;
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
    private static final double NEGLIGIBLE = -40;

    private final TrainableWeight weight;
    private final double strength;
    private final int components;
    private final Parameter means;
    private final Parameter logPrecisions;
    private final Parameter mixing;
    /** The hyper-prior's rates: the mode of precision j is {@code (alpha_j - 1) / beta_j}. */
    private final double[] beta;

    /** A prior of {@code components} Gaussians, the zero one included, over the weight's current values. */
    public MixturePrior(TrainableWeight weight, double strength, int components) {
        if (!(strength > 0) || Double.isInfinite(strength) || components < 2) {
            throw new IllegalArgumentException("need strength > 0 and at least 2 components, got " + strength + " and "
                    + components);
        }
        this.weight = weight;
        this.strength = strength;
        this.components = components;
        float[] w = weight.dense();
        float lo = 0;
        float hi = 0;
        for (float v : w) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        int free = components - 1;
        float[] mu = new float[free];
        for (int j = 0; j < free; j++) {
            mu[j] = free == 1 ? hi : lo + (hi - lo) * j / (free - 1);
        }
        double spacing = (hi - lo) / Math.max(1, free - 1);
        if (!(spacing > 0)) {
            spacing = 1;
        }
        double precision = 1 / (0.25 * spacing * spacing);
        float[] gamma = new float[components];
        java.util.Arrays.fill(gamma, (float) Math.log(precision));
        this.beta = new double[components];
        for (int j = 0; j < components; j++) {
            beta[j] = ((j == 0 ? ALPHA_ZERO : ALPHA) - 1) / precision;
        }
        this.means = new Parameter(weight.name() + "/prior-means", mu, new float[free], MEANS_RATE);
        this.logPrecisions = new Parameter(weight.name() + "/prior-log-precisions", gamma, new float[components],
                SPREAD_RATE);
        this.mixing = new Parameter(weight.name() + "/prior-mixing", new float[free], new float[free], SPREAD_RATE);
    }

    @Override
    public TrainableWeight weight() {
        return weight;
    }

    /** The means of components 1 to J - 1, the J log-precisions and the J - 1 mixing logits, in that order. */
    @Override
    public List<Parameter> parameters() {
        return List.of(means, logPrecisions, mixing);
    }

    double strength() {
        return strength;
    }

    /** The rate of component j's Gamma hyper-prior on its precision. */
    double beta(int j) {
        return beta[j];
    }

    /** The mixture's constants: per component its mean, precision and {@code log pi_j + log sqrt(lambda_j / 2 pi)}. */
    private record Mixture(double[] mu, double[] lambda, double[] offset, double[] softmax) {}

    private Mixture mixture() {
        int j0 = components;
        double[] mu = new double[j0];
        double[] lambda = new double[j0];
        double[] offset = new double[j0];
        double[] rho = new double[j0 - 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < rho.length; k++) {
            rho[k] = mixing.value()[k];
            max = Math.max(max, rho[k]);
        }
        double sum = 0;
        double[] softmax = new double[j0 - 1];
        for (int k = 0; k < rho.length; k++) {
            softmax[k] = Math.exp(rho[k] - max);
            sum += softmax[k];
        }
        for (int j = 0; j < j0; j++) {
            double gamma = logPrecisions.value()[j];
            mu[j] = j == 0 ? 0 : means.value()[j - 1];
            lambda[j] = Math.exp(gamma);
            double logPi = j == 0 ? Math.log(PI_ZERO) : Math.log1p(-PI_ZERO) + Math.log(softmax[j - 1] / sum);
            offset[j] = logPi + 0.5 * gamma - HALF_LOG_TWO_PI;
        }
        for (int k = 0; k < softmax.length; k++) {
            softmax[k] /= sum;
        }
        return new Mixture(mu, lambda, offset, softmax);
    }

    @Override
    public double addGradient(Parallelism par) {
        Mixture m = mixture();
        float[] w = weight.dense();
        float[] g = weight.denseGrad();
        int chunks = Products.chunkCount(w.length);
        // Per chunk: sum r_ij, sum r_ij d_ij, sum r_ij d_ij^2 per component, then -sum log p_i.
        double[][] sums = new double[chunks][3 * components + 1];
        Products.forChunks(par, w.length, (chunk, from, to) -> {
            double[] s = sums[chunk];
            double[] e = new double[components];
            for (int i = from; i < to; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < components; j++) {
                    double d = w[i] - m.mu[j];
                    e[j] = m.offset[j] - 0.5 * m.lambda[j] * d * d;
                    max = Math.max(max, e[j]);
                }
                double total = 0;
                for (int j = 0; j < components; j++) {
                    // A component this far below the best has a responsibility under 1e-17: skipping its exp (most
                    // of them, once the weights have gathered) changes no sum by more than its last bit.
                    e[j] = e[j] - max < NEGLIGIBLE ? 0 : Math.exp(e[j] - max);
                    total += e[j];
                }
                double dw = 0;
                for (int j = 0; j < components; j++) {
                    if (e[j] == 0) {
                        continue;
                    }
                    double r = e[j] / total;
                    double d = w[i] - m.mu[j];
                    dw += r * m.lambda[j] * d;
                    s[j] += r;
                    s[components + j] += r * d;
                    s[2 * components + j] += r * d * d;
                }
                g[i] += (float) (strength * dw);
                s[3 * components] -= max + Math.log(total);
            }
        });
        double[] s = new double[3 * components + 1];
        for (double[] part : sums) {
            for (int k = 0; k < s.length; k++) {
                s[k] += part[k];
            }
        }
        double value = s[3 * components];
        float[] dMu = means.grad();
        float[] dGamma = logPrecisions.grad();
        float[] dRho = mixing.grad();
        double members = w.length - s[0];
        for (int j = 0; j < components; j++) {
            double alpha = j == 0 ? ALPHA_ZERO : ALPHA;
            double gamma = logPrecisions.value()[j];
            value += -(alpha - 1) * gamma + beta[j] * m.lambda[j];
            double gradGamma = 0.5 * (m.lambda[j] * s[2 * components + j] - s[j]) - (alpha - 1) + beta[j] * m.lambda[j];
            dGamma[j] += (float) (strength * gradGamma);
            if (j > 0) {
                dMu[j - 1] += (float) (strength * -m.lambda[j] * s[components + j]);
                dRho[j - 1] += (float) (strength * -(s[j] - m.softmax[j - 1] * members));
            }
        }
        return strength * value;
    }

    /**
     * The weight snapped to the prior: each element set to the mean of its most responsible component, those of the
     * zero component pruned; a sparse codebook of the {@code J - 1} means at the gap width that stores it smallest.
     */
    public SparseCodebook snap() {
        Mixture m = mixture();
        float[] w = weight.dense();
        int[] best = new int[w.length];
        int kept = 0;
        for (int i = 0; i < w.length; i++) {
            double top = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < components; j++) {
                double d = w[i] - m.mu[j];
                double e = m.offset[j] - 0.5 * m.lambda[j] * d * d;
                if (e > top) {
                    top = e;
                    best[i] = j;
                }
            }
            kept += best[i] == 0 ? 0 : 1;
        }
        int[] positions = new int[kept];
        int[] indices = new int[kept];
        for (int i = 0, e = 0; i < w.length; i++) {
            if (best[i] != 0) {
                positions[e] = i;
                indices[e++] = best[i] - 1;
            }
        }
        int bits = Math.max(1, 32 - Integer.numberOfLeadingZeros(components - 2));
        return SparseCodebook.narrowest(weight.dims(), bits, means.value().clone(), positions, indices);
    }
}
