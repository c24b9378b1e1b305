package dev.tamp.optimizer.numerics;

import dev.tamp.model.ops.MatrixKernels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.bytedeco.javacpp.FloatPointer;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * The leading singular triplets of a dense row-major matrix {@code A [m, n]}: {@code A ≈ U diag(s) Vᵀ} with
 * orthonormal columns in {@code U} and {@code V} and non-increasing {@code s}.
 *
 * <p>Two algorithms. Matrices whose smaller side is at most {@link #EXACT_LIMIT}, or whose requested sketch would
 * cover more than half of that side, get an exact dense SVD in double (backward stable, so truncating it gives the
 * Eckart–Young optimum up to rounding). Larger matrices at a small rank get the randomized subspace iteration of
 * Halko, Martinsson and Tropp (2011, algorithm 4.4): a Gaussian sketch {@code Y = A Ω} with {@code l = rank +
 * oversampling} columns, {@link #POWER_ITERATIONS} rounds of {@code Q ← orth(A orth(Aᵀ Q))}, then the exact SVD of
 * the small {@code Qᵀ A}. The products with {@code A} run in float32 (the precision the weight is stored in anyway);
 * orthonormalization and the small SVD run in double.
 *
 * <p>Two backends, chosen per call. With {@link NativeLapack} loaded (the default; OpenBLAS from ND4J's natives, one
 * OpenBLAS thread): LAPACK's {@code dgesdd} for the exact SVD of matrices with at least {@link #LAPACK_MIN_ENTRIES}
 * entries, Householder QR for the bases and {@code sgemm} for the products, in fixed row blocks shared among the
 * threads. Otherwise, and for tiny matrices: commons-math3's Golub–Kahan SVD, classical Gram–Schmidt twice and the
 * executor's plain Java GEMM split by rows. On one CPU the results depend on the input and seed only, never on the
 * thread count; singular vectors get canonical signs ({@link #canonicalSigns}) so the backends agree up to rounding.
 * LAPACK measured 15–20× faster on the exact path and 3× on 4096 × 4096 at rank 256 (docs/BENCHMARKS.md).
 */
public final class TruncatedSvd {
    /** The largest smaller side decomposed exactly by default. */
    public static final int EXACT_LIMIT = 1024;
    /** Subspace iterations of the randomized algorithm (Halko et al. recommend 1–2 for slowly decaying spectra). */
    public static final int POWER_ITERATIONS = 2;
    /**
     * Matrices with fewer entries stay in commons-math3 even when LAPACK is loaded: below 32 × 32 its SVD takes well
     * under a millisecond, and tiny layers then need no native code at all.
     */
    public static final int LAPACK_MIN_ENTRIES = 1024;

    private TruncatedSvd() {}

    /** What to keep: a rank, or the smallest rank retaining a fraction of the squared Frobenius norm. */
    public sealed interface Target {
        /** Exactly {@code rank} triplets (at most the smaller side). */
        record Rank(int rank) implements Target {
            public Rank {
                if (rank < 1) {
                    throw new IllegalArgumentException("rank must be positive, got " + rank);
                }
            }
        }

        /** The smallest rank r with {@code s₁² + … + s_r² >= fraction · ‖A‖²_F}. */
        record Energy(double fraction) implements Target {
            public Energy {
                if (!(fraction > 0 && fraction <= 1)) {
                    throw new IllegalArgumentException("energy must be in (0, 1], got " + fraction);
                }
            }
        }
    }

    /**
     * Leading singular triplets: {@code u [rows, rank]}, {@code s [rank]}, {@code vt [rank, cols]}, row-major.
     *
     * @param frobeniusSquared {@code ‖A‖²_F} of the decomposed matrix, summed in double
     */
    public record Result(int rows, int cols, int rank, double[] u, double[] s, double[] vt, double frobeniusSquared) {
        public Result {
            if (u.length != (long) rows * rank || s.length != rank || vt.length != (long) rank * cols) {
                throw new IllegalArgumentException("factor sizes do not match " + rows + "x" + cols + " at rank "
                        + rank);
            }
        }

        /** The first {@code r} triplets. */
        public Result truncate(int r) {
            if (r < 1 || r > rank) {
                throw new IllegalArgumentException("cannot truncate rank " + rank + " to " + r);
            }
            if (r == rank) {
                return this;
            }
            double[] u2 = new double[rows * r];
            for (int i = 0; i < rows; i++) {
                System.arraycopy(u, i * rank, u2, i * r, r);
            }
            double[] vt2 = java.util.Arrays.copyOf(vt, r * cols);
            return new Result(rows, cols, r, u2, java.util.Arrays.copyOf(s, r), vt2, frobeniusSquared);
        }

        /** {@code U diag(√s)} as float32, the left factor of a balanced split {@code A ≈ L R}. */
        public float[] leftFactor() {
            float[] l = new float[rows * rank];
            for (int i = 0; i < rows; i++) {
                for (int p = 0; p < rank; p++) {
                    l[i * rank + p] = (float) (u[i * rank + p] * Math.sqrt(s[p]));
                }
            }
            return l;
        }

        /** {@code diag(√s) Vᵀ} as float32, the right factor of a balanced split {@code A ≈ L R}. */
        public float[] rightFactor() {
            float[] r = new float[rank * cols];
            for (int p = 0; p < rank; p++) {
                double scale = Math.sqrt(s[p]);
                for (int j = 0; j < cols; j++) {
                    r[p * cols + j] = (float) (vt[p * cols + j] * scale);
                }
            }
            return r;
        }

        /** The fraction of {@code ‖A‖²_F} the kept triplets retain. */
        public double retainedEnergy() {
            double kept = 0;
            for (double v : s) {
                kept += v * v;
            }
            return frobeniusSquared == 0 ? 1 : kept / frobeniusSquared;
        }
    }

    /** The smallest rank whose leading squared singular values sum to at least {@code fraction} of the total. */
    public static int rankForEnergy(double[] s, double frobeniusSquared, double fraction) {
        double goal = fraction * frobeniusSquared;
        double kept = 0;
        for (int r = 0; r < s.length; r++) {
            kept += s[r] * s[r];
            if (kept >= goal) {
                return r + 1;
            }
        }
        return s.length;
    }

    /** The triplets {@code target} asks for, with the algorithm chosen as the class comment says. */
    public static Result compute(float[] a, int m, int n, Target target, long seed, int threads) {
        int side = Math.min(m, n);
        double total = frobeniusSquared(a);
        if (target instanceof Target.Rank rank) {
            if (rank.rank() > side) {
                throw new IllegalArgumentException("rank " + rank.rank() + " exceeds the smaller side " + side);
            }
            int l = sketchSize(rank.rank(), side);
            return side <= EXACT_LIMIT || 2 * l > side ? exact(a, m, n).truncate(rank.rank())
                    : randomized(a, m, n, rank.rank(), l, seed, threads);
        }
        double fraction = ((Target.Energy) target).fraction();
        if (side > EXACT_LIMIT) {
            // The sketch's singular values never exceed A's (Qᵀ A is a projection), so a rank that reaches the goal
            // in the sketch reaches it in A too: it is at most the exact minimum plus the sketch's shortfall.
            for (int l = 64; 2 * l <= side; l *= 2) {
                Result sketch = randomized(a, m, n, l, l, seed, threads);
                int r = rankForEnergy(sketch.s(), total, fraction);
                double kept = 0;
                for (int p = 0; p < r; p++) {
                    kept += sketch.s()[p] * sketch.s()[p];
                }
                if (r < l && kept >= fraction * total) {
                    return sketch.truncate(r);
                }
            }
        }
        Result full = exact(a, m, n);
        return full.truncate(rankForEnergy(full.s(), total, fraction));
    }

    /** Columns of the randomized sketch for a rank: Halko et al.'s oversampling, at least 10. */
    static int sketchSize(int rank, int side) {
        return Math.min(side, rank + Math.max(10, rank / 8));
    }

    /**
     * Every singular triplet ({@code min(m, n)} of them), in double: LAPACK's {@code dgesdd} when the matrix has at
     * least {@link #LAPACK_MIN_ENTRIES} entries and {@link NativeLapack} loaded, commons-math3's dense SVD otherwise.
     * Signs are canonical either way (see {@link #canonicalSigns}).
     */
    public static Result exact(float[] a, int m, int n) {
        return exact(a, m, n, (long) m * n >= LAPACK_MIN_ENTRIES ? NativeLapack.get() : null);
    }

    /** {@link #exact(float[], int, int)} on the named backend: LAPACK, or pure Java when {@code lapack} is null. */
    static Result exact(float[] a, int m, int n, NativeLapack lapack) {
        double total = frobeniusSquared(a);
        if (lapack != null) {
            int k = Math.min(m, n);
            double[] work = new double[m * n];
            for (int i = 0; i < work.length; i++) {
                work[i] = a[i];
            }
            double[] u = new double[m * k];
            double[] s = new double[k];
            double[] vt = new double[k * n];
            if (lapack.gesdd(work, m, n, u, s, vt) == 0) {
                canonicalSigns(u, m, k, vt, n);
                return new Result(m, n, k, u, s, vt, total);
            }
            // dgesdd's divide and conquer did not converge (or saw a NaN): the QR iteration below decides.
        }
        double[][] rows = new double[m][n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                rows[i][j] = a[i * n + j];
            }
        }
        return exact(rows, total);
    }

    /**
     * Makes the largest-magnitude entry of each column of {@code u [m, k]} positive (the first such entry on a tie),
     * negating the matching row of {@code vt [k, n]}: the factors then do not depend on the SVD backend's sign
     * choices (they still may, like any SVD, within the subspace of a repeated singular value).
     */
    static void canonicalSigns(double[] u, int m, int k, double[] vt, int n) {
        for (int p = 0; p < k; p++) {
            double largest = 0;
            boolean negative = false;
            for (int i = 0; i < m; i++) {
                double x = u[i * k + p];
                if (Math.abs(x) > largest) {
                    largest = Math.abs(x);
                    negative = x < 0;
                }
            }
            if (negative) {
                for (int i = 0; i < m; i++) {
                    u[i * k + p] = -u[i * k + p];
                }
                for (int j = 0; j < n; j++) {
                    vt[p * n + j] = -vt[p * n + j];
                }
            }
        }
    }

    private static Result exact(double[][] rows, double frobeniusSquared) {
        int m = rows.length;
        int n = rows[0].length;
        SingularValueDecomposition svd = new SingularValueDecomposition(new Array2DRowRealMatrix(rows, false));
        int k = Math.min(m, n);
        RealMatrix uMat = svd.getU();
        RealMatrix vMat = svd.getV();
        double[] u = new double[m * k];
        double[] vt = new double[k * n];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                u[i * k + p] = uMat.getEntry(i, p);
            }
        }
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                vt[p * n + j] = vMat.getEntry(j, p);
            }
        }
        canonicalSigns(u, m, k, vt, n);
        return new Result(m, n, k, u, svd.getSingularValues().clone(), vt, frobeniusSquared);
    }

    /**
     * Rank-{@code rank} approximation by randomized subspace iteration with an {@code l}-column sketch ({@code rank
     * <= l <= min(m, n)}).
     */
    public static Result randomized(float[] a, int m, int n, int rank, int l, long seed, int threads) {
        return randomized(a, m, n, rank, l, seed, threads, NativeLapack.get());
    }

    /** {@link #randomized(float[], int, int, int, int, long, int)} on LAPACK, or pure Java when {@code lapack} is null. */
    static Result randomized(float[] a, int m, int n, int rank, int l, long seed, int threads, NativeLapack lapack) {
        if (rank < 1 || rank > l || l > Math.min(m, n)) {
            throw new IllegalArgumentException("need 1 <= rank <= l <= min(m, n), got rank " + rank + ", l " + l);
        }
        if (lapack != null) {
            return randomizedLapack(a, m, n, rank, l, seed, threads, lapack);
        }
        float[] at = transpose(a, m, n);
        SplittableRandom random = new SplittableRandom(seed);
        float[][] omega = new float[n][l];
        for (float[] row : omega) {
            for (int j = 0; j < l; j++) {
                row[j] = (float) random.nextGaussian();
            }
        }
        float[][] q = orthonormalColumns(multiply(a, m, n, omega, threads), null);
        for (int it = 0; it < POWER_ITERATIONS; it++) {
            float[][] z = orthonormalColumns(multiply(at, n, m, q, threads), null);
            q = orthonormalColumns(multiply(a, m, n, z, threads), null);
        }
        // Qᵀ A = Bᵀ ... as Z = Aᵀ Q = Q₂ R, so Qᵀ A = Rᵀ Q₂ᵀ; the SVD of the small Rᵀ = Uᵣ S Vᵣᵀ gives
        // A ≈ (Q Uᵣ) S (Q₂ Vᵣ)ᵀ.
        double[][] r = new double[l][l];
        float[][] q2 = orthonormalColumns(multiply(at, n, m, q, threads), r);
        double[][] rt = new double[l][l];
        for (int i = 0; i < l; i++) {
            for (int j = 0; j < l; j++) {
                rt[i][j] = r[j][i];
            }
        }
        Result small = exact(rt, 0);
        double[] u = new double[m * rank];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < rank; p++) {
                double sum = 0;
                for (int c = 0; c < l; c++) {
                    sum += q[i][c] * small.u()[c * l + p];
                }
                u[i * rank + p] = sum;
            }
        }
        double[] vt = new double[rank * n];
        for (int j = 0; j < n; j++) {
            for (int p = 0; p < rank; p++) {
                double sum = 0;
                for (int c = 0; c < l; c++) {
                    sum += q2[j][c] * small.vt()[p * l + c];
                }
                vt[p * n + j] = sum;
            }
        }
        canonicalSigns(u, m, rank, vt, n);
        return new Result(m, n, rank, u, java.util.Arrays.copyOf(small.s(), rank), vt, frobeniusSquared(a));
    }

    /**
     * The randomized algorithm with LAPACK's Householder QR ({@code dgeqrf}/{@code dorgqr}) for the orthonormal
     * bases, {@code dgesdd} for the small SVD and OpenBLAS's float32 {@code sgemm} for the products with A, split
     * into fixed blocks of {@link #PRODUCT_BLOCK} rows shared among {@code threads} (so the result does not depend on
     * the thread count). The sketch is the same as the pure-Java path's.
     */
    private static Result randomizedLapack(float[] a, int m, int n, int rank, int l, long seed, int threads,
            NativeLapack lapack) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] omega = new float[n * l];
        for (int i = 0; i < omega.length; i++) {
            omega[i] = (float) random.nextGaussian();
        }
        try (FloatPointer pa = new FloatPointer(a)) {
            double[] q = toDouble(product(lapack, pa, m, n, false, omega, l, threads));
            lapack.orthonormalize(q, m, l, null);
            double[] z;
            for (int it = 0; it < POWER_ITERATIONS; it++) {
                z = toDouble(product(lapack, pa, m, n, true, toFloat(q), l, threads));
                lapack.orthonormalize(z, n, l, null);
                q = toDouble(product(lapack, pa, m, n, false, toFloat(z), l, threads));
                lapack.orthonormalize(q, m, l, null);
            }
            // Z = Aᵀ Q = Q₂ R, so Qᵀ A = Rᵀ Q₂ᵀ; the SVD of the small Rᵀ = Uᵣ S Vᵣᵀ gives A ≈ (Q Uᵣ) S (Q₂ Vᵣ)ᵀ.
            z = toDouble(product(lapack, pa, m, n, true, toFloat(q), l, threads));
            double[] r = new double[l * l];
            lapack.orthonormalize(z, n, l, r);
            double[] rt = new double[l * l];
            for (int i = 0; i < l; i++) {
                for (int j = 0; j < l; j++) {
                    rt[i * l + j] = r[j * l + i];
                }
            }
            double[] su = new double[l * l];
            double[] ss = new double[l];
            double[] svt = new double[l * l];
            int info = lapack.gesdd(rt, l, l, su, ss, svt);
            if (info != 0) {
                throw new IllegalStateException("dgesdd of the " + l + "x" + l + " projection returned info " + info);
            }
            double[] ur = new double[l * rank];
            for (int i = 0; i < l; i++) {
                System.arraycopy(su, i * l, ur, i * rank, rank);
            }
            double[] u = new double[m * rank];
            lapack.dgemm(false, m, rank, l, q, ur, u, false);
            double[] vt = new double[rank * n];
            lapack.dgemm(false, rank, n, l, svt, z, vt, true);
            canonicalSigns(u, m, rank, vt, n);
            return new Result(m, n, rank, u, java.util.Arrays.copyOf(ss, rank), vt, frobeniusSquared(a));
        }
    }

    /** Rows per sgemm call in {@link #randomizedLapack}: fixed, so the calls do not depend on the thread count. */
    static final int PRODUCT_BLOCK = 256;

    /** {@code op(A) X} (A off-heap, row-major {@code [m, n]}; X row-major with {@code width} columns) in float32. */
    private static float[] product(NativeLapack lapack, FloatPointer a, int m, int n, boolean transA, float[] x,
            int width, int threads) {
        int rows = transA ? n : m;
        int blocks = (rows + PRODUCT_BLOCK - 1) / PRODUCT_BLOCK;
        float[] c = new float[rows * width];
        try (FloatPointer px = new FloatPointer(x); FloatPointer pc = new FloatPointer((long) rows * width)) {
            int workers = Math.max(1, Math.min(threads, blocks));
            if (workers == 1) {
                for (int b = 0; b < blocks; b++) {
                    lapack.sgemmRows(a, m, n, transA, b * PRODUCT_BLOCK, Math.min(rows, (b + 1) * PRODUCT_BLOCK),
                            px, width, pc);
                }
            } else {
                ExecutorService pool = Executors.newFixedThreadPool(workers);
                try {
                    List<Future<?>> parts = new ArrayList<>();
                    for (int b = 0; b < blocks; b++) {
                        int from = b * PRODUCT_BLOCK;
                        int to = Math.min(rows, from + PRODUCT_BLOCK);
                        parts.add(pool.submit(() -> lapack.sgemmRows(a, m, n, transA, from, to, px, width, pc)));
                    }
                    for (Future<?> part : parts) {
                        part.get();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                } finally {
                    pool.shutdownNow();
                }
            }
            pc.get(c);
        }
        return c;
    }

    private static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    private static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }

    static double frobeniusSquared(float[] a) {
        double sum = 0;
        for (float x : a) {
            sum += (double) x * x;
        }
        return sum;
    }

    private static float[] transpose(float[] a, int m, int n) {
        float[] t = new float[a.length];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                t[j * m + i] = a[i * n + j];
            }
        }
        return t;
    }

    /**
     * {@code A X} for row-major {@code A [m, k]} and {@code X} given as its k rows, split into row blocks over
     * {@code threads}; every output row is summed in the same order whatever the split.
     */
    static float[][] multiply(float[] a, int m, int k, float[][] x, int threads) {
        int width = x[0].length;
        float[][] c = new float[m][width];
        MatrixKernels kernels = MatrixKernels.plainJava();
        int blocks = Math.max(1, Math.min(threads, m / 64));
        if (blocks == 1) {
            kernels.gemmF32(m, width, k, a, 0, k, x, c);
            return c;
        }
        ExecutorService pool = Executors.newFixedThreadPool(blocks);
        try {
            List<Future<?>> parts = new ArrayList<>();
            for (int b = 0; b < blocks; b++) {
                int from = (int) ((long) m * b / blocks);
                int to = (int) ((long) m * (b + 1) / blocks);
                float[][] rows = java.util.Arrays.copyOfRange(c, from, to);
                parts.add(pool.submit(() -> kernels.gemmF32(to - from, width, k, a, from * k, k, x, rows)));
            }
            for (Future<?> part : parts) {
                part.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return c;
    }

    /**
     * Orthonormal columns spanning those of {@code y} (rows of length l), by classical Gram–Schmidt applied twice in
     * double ("twice is enough", Giraud et al. 2005); a column that vanishes (rank-deficient {@code y}) is replaced by
     * a unit vector orthogonal to the previous ones. When {@code r} is given it receives the l × l upper-triangular
     * factor with {@code y = Q r}.
     */
    static float[][] orthonormalColumns(float[][] y, double[][] r) {
        int m = y.length;
        int l = y[0].length;
        double[][] cols = new double[l][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < l; j++) {
                cols[j][i] = y[i][j];
            }
        }
        for (int j = 0; j < l; j++) {
            double[] v = cols[j];
            double original = Math.sqrt(dot(v, v));
            for (int pass = 0; pass < 2; pass++) {
                for (int p = 0; p < j; p++) {
                    double d = dot(cols[p], v);
                    if (r != null) {
                        r[p][j] += d;
                    }
                    axpy(-d, cols[p], v);
                }
            }
            double norm = Math.sqrt(dot(v, v));
            if (norm <= 1e-12 * Math.max(original, Double.MIN_NORMAL)) {
                // Numerically in the span of the previous columns: its share of y is zero, and any unit vector
                // orthogonal to them completes the basis.
                norm = 0;
                completeBasis(cols, j);
            } else {
                for (int i = 0; i < m; i++) {
                    v[i] /= norm;
                }
            }
            if (r != null) {
                r[j][j] = norm;
            }
        }
        float[][] q = new float[m][l];
        for (int j = 0; j < l; j++) {
            for (int i = 0; i < m; i++) {
                q[i][j] = (float) cols[j][i];
            }
        }
        return q;
    }

    private static void completeBasis(double[][] cols, int j) {
        int m = cols[j].length;
        for (int e = 0; e < m; e++) {
            double[] v = new double[m];
            v[e] = 1;
            for (int pass = 0; pass < 2; pass++) {
                for (int p = 0; p < j; p++) {
                    axpy(-dot(cols[p], v), cols[p], v);
                }
            }
            double norm = Math.sqrt(dot(v, v));
            if (norm > 0.5) {
                for (int i = 0; i < m; i++) {
                    v[i] /= norm;
                }
                cols[j] = v;
                return;
            }
        }
        throw new IllegalStateException("no unit vector completes a basis of " + j + " columns in " + m
                + " dimensions");
    }

    /** Four interleaved partial sums (fixed order, so deterministic) let the CPU overlap the additions. */
    private static double dot(double[] a, double[] b) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 4 <= a.length; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < a.length; i++) {
            s0 += a[i] * b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static void axpy(double alpha, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += alpha * x[i];
        }
    }
}
