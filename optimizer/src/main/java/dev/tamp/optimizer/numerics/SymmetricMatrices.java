package dev.tamp.optimizer.numerics;

/** Cholesky factorizations and inverses of symmetric positive definite matrices, in plain double loops. */
final class SymmetricMatrices {
    private SymmetricMatrices() {}

    /** The lower triangular {@code L} with {@code a = L Lᵀ}; fails when {@code a} is not positive definite. */
    static double[][] choleskyLower(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int j = 0; j < n; j++) {
            double[] lj = l[j];
            double s = a[j][j] - dot(lj, lj, j);
            if (!(s > 0)) {
                throw new IllegalArgumentException("matrix is not positive definite (pivot " + j + " is " + s + ")");
            }
            double diagonal = Math.sqrt(s);
            lj[j] = diagonal;
            for (int i = j + 1; i < n; i++) {
                l[i][j] = (a[i][j] - dot(l[i], lj, j)) / diagonal;
            }
        }
        return l;
    }

    /** {@code a⁻¹} from {@code a = L Lᵀ}: {@code a⁻¹ = L⁻ᵀ L⁻¹}, symmetric by construction. */
    static double[][] inverse(double[][] a) {
        int n = a.length;
        double[][] m = lowerInverse(choleskyLower(a));
        double[][] inv = new double[n][n];
        // inv[i][j] = Σ_{k ≥ max(i, j)} m[k][i] m[k][j]; the lower triangle first, row-wise so the loop vectorizes.
        for (int k = 0; k < n; k++) {
            double[] mk = m[k];
            for (int i = 0; i <= k; i++) {
                double f = mk[i];
                if (f != 0) {
                    double[] row = inv[i];
                    for (int j = 0; j <= i; j++) {
                        row[j] += f * mk[j];
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                inv[j][i] = inv[i][j];
            }
        }
        return inv;
    }

    /** The upper triangular {@code U} with {@code a⁻¹ = Uᵀ U}. */
    static double[][] upperCholeskyOfInverse(double[][] a) {
        double[][] l = choleskyLower(inverse(a));
        int n = l.length;
        double[][] u = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                u[j][i] = l[i][j];
            }
        }
        return u;
    }

    /** The inverse of a lower triangular matrix with a positive diagonal, by forward substitution. */
    private static double[][] lowerInverse(double[][] l) {
        int n = l.length;
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            // Row i of L M = I: m[i] = (e_i − Σ_{k<i} l[i][k] m[k]) / l[i][i], as contiguous row updates.
            double[] mi = m[i];
            double[] li = l[i];
            for (int k = 0; k < i; k++) {
                double f = li[k];
                if (f != 0) {
                    double[] mk = m[k];
                    for (int j = 0; j <= k; j++) {
                        mi[j] -= f * mk[j];
                    }
                }
            }
            double d = 1 / li[i];
            for (int j = 0; j < i; j++) {
                mi[j] *= d;
            }
            mi[i] = d;
        }
        return m;
    }

    private static double dot(double[] a, double[] b, int n) {
        double s = 0;
        for (int k = 0; k < n; k++) {
            s += a[k] * b[k];
        }
        return s;
    }
}
