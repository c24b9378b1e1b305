package dev.tamp.optimizer.numerics;

/**
 * Frobenius-nearest circulant and block-circulant matrices (Cheng et al. 2015; CirCNN, Ding et al. 2017), in the
 * index conventions of {@code dev.tamp.model.ir.Circulant} and {@code BlockCirculant}: on a row-major {@code [m, n]}
 * matrix, the entry {@code (i, j)} of a {@code b x b} tile reads its tile's vector at {@code (i - j) mod b}.
 *
 * <p>Each entry of the defining vector appears on exactly the entries of one wrapped diagonal and nowhere else, so
 * the squared Frobenius error splits into one independent term per (tile, diagonal), {@code sum (w - c_d)^2}, which
 * the mean of that diagonal minimizes. Entries of a cut-off last tile that fall outside the matrix are not in the
 * error; a diagonal with no entry inside the matrix gets 0 (any value is optimal there).
 */
public final class CirculantProjection {
    private CirculantProjection() {}

    /** The defining vector {@code c} of the nearest circulant to a square row-major {@code n x n} matrix. */
    public static float[] circulant(float[] w, int n) {
        if ((long) n * n != w.length) {
            throw new IllegalArgumentException("a circulant projection needs a square matrix, got " + w.length
                    + " elements for side " + n);
        }
        return blockCirculant(w, n, n, n);
    }

    /**
     * The defining vectors of the nearest block-circulant matrix with {@code b x b} tiles to a row-major {@code m x
     * n} matrix: {@code ceil(m/b) * ceil(n/b)} vectors of {@code b} elements, tiles in row-major order.
     */
    public static float[] blockCirculant(float[] w, int m, int n, int b) {
        if ((long) m * n != w.length || m < 1 || n < 1) {
            throw new IllegalArgumentException("matrix " + m + "x" + n + " does not hold " + w.length + " elements");
        }
        if (b < 1) {
            throw new IllegalArgumentException("block size must be positive, got " + b);
        }
        int p = ceilDiv(m, b);
        int q = ceilDiv(n, b);
        double[] sum = new double[p * q * b];
        int[] count = new int[sum.length];
        for (int i = 0; i < m; i++) {
            int rowTiles = (i / b) * q;
            int r = i % b;
            for (int j = 0; j < n; j++) {
                int slot = (rowTiles + j / b) * b + Math.floorMod(r - j % b, b);
                sum[slot] += w[i * n + j];
                count[slot]++;
            }
        }
        float[] vectors = new float[sum.length];
        for (int s = 0; s < sum.length; s++) {
            vectors[s] = count[s] == 0 ? 0f : (float) (sum[s] / count[s]);
        }
        return vectors;
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
