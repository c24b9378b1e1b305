package dev.tamp.optimizer.numerics;

/**
 * Solves the normal equations {@code A X = B} of a least-squares fit (A symmetric positive semi-definite) by Cholesky
 * in double, after adding a ridge {@code RIDGE * mean(diag A)} to the diagonal.
 *
 * <p>The ridge keeps the factorization defined when features are collinear or constant, which real layers produce:
 * an input channel that is zero on every sample (a dead ReLU) makes a row of the patch moments zero. Any value of
 * such a weight fits equally well; the ridge picks 0. The ridge scales the solution along an eigendirection of A with
 * eigenvalue μ by μ / (μ + λ): directions the samples excite are changed by about 1e-9 relative, far below float32
 * precision, and those they barely excite are exactly those whose weights hardly change the outputs on the samples.
 * Callers compare errors before accepting a solution, so a ridge-biased
 * step can never make a fit worse.
 */
public final class RidgeSolver {
    /** The relative ridge added to the diagonal. */
    public static final double RIDGE = 1e-9;

    private RidgeSolver() {}

    /** X (n × m) with {@code (A + λI) X = B}; A is n × n, B is n × m. A all-zero A gives X = 0. */
    public static double[][] solve(double[][] a, double[][] b) {
        int n = a.length;
        double trace = 0;
        for (int i = 0; i < n; i++) {
            trace += a[i][i];
        }
        int m = b.length == 0 ? 0 : b[0].length;
        double[][] x = new double[n][m];
        if (!(trace > 0)) {
            return x;
        }
        double lambda = RIDGE * trace / n;
        double[][] l = new double[n][];
        for (int i = 0; i < n; i++) {
            l[i] = new double[i + 1];
            for (int j = 0; j <= i; j++) {
                double s = a[i][j] + (i == j ? lambda : 0.0);
                double[] li = l[i];
                double[] lj = l[j];
                for (int k = 0; k < j; k++) {
                    s -= li[k] * lj[k];
                }
                if (i == j) {
                    // Rounding can leave a pivot of a rank-deficient A slightly below the ridge, never below 0
                    // by more than rounding; clamp to the ridge so the solve stays finite.
                    li[i] = Math.sqrt(Math.max(s, lambda));
                } else {
                    li[j] = s / lj[j];
                }
            }
        }
        for (int col = 0; col < m; col++) {
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                double s = b[i][col];
                for (int k = 0; k < i; k++) {
                    s -= l[i][k] * y[k];
                }
                y[i] = s / l[i][i];
            }
            for (int i = n - 1; i >= 0; i--) {
                double s = y[i];
                for (int k = i + 1; k < n; k++) {
                    s -= l[k][i] * x[k][col];
                }
                x[i][col] = s / l[i][i];
            }
        }
        return x;
    }
}
