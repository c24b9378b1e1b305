package dev.tamp.optimizer.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GemmKernel} on the JDK Vector API ({@code jdk.incubator.vector}, compiled and run with {@code --add-modules
 * jdk.incubator.vector}; loaded by name only where the module is present). Register tiles of 8 rows of C by two
 * vectors of columns keep 16 accumulators live over a block of {@code p}, so each loaded vector of B serves eight rows
 * and C is read and written once per block; A's eight elements per step are read through the row and column offset
 * tables, which cost one load more than strides and let a convolution read its receptive fields in place. The columns left over by whole vectors go through zero-padded copies.
 *
 * <p>Each element of C still receives its products one at a time in increasing {@code p}, each product rounded, then
 * the sum (a multiply and an add, never a fused multiply-add): the plain Java GEMM's order, so both kernels give
 * bit-identical results. Storing an accumulator between blocks of {@code p} rounds nothing, the lanes being floats.
 */
final class VectorGemmKernel implements GemmKernel {
    /**
     * One species only: C2 in JDK 17 keeps a vector's exact class through the loop's accumulators only by the type
     * profile of the Vector API's shared call sites, so a second species in the same process makes them polymorphic
     * and every operation falls back to boxed Java (measured: 0.2 GMAC/s instead of 12).
     */
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int W = SPECIES.length();

    /** Rows of B per pass over a panel of C: 256 rows of two 16-float vectors (32 KiB) stay in L1. */
    private static final int K_BLOCK = 256;

    VectorGemmKernel() {}

    @Override
    public void multiplyAdd(int m, int n, int k, float[] a, int aOff, int[] aRows, int[] aCols, float[] b, int bOff,
            int[] bRows, float[] c, int cOff, int ldc) {
        for (int p0 = 0; p0 < k; p0 += K_BLOCK) {
            int p1 = Math.min(k, p0 + K_BLOCK);
            int j = 0;
            for (; j + 2 * W <= n; j += 2 * W) {
                int i = 0;
                for (; i + 8 <= m; i += 8) {
                    tile8x2(p0, p1, a, aOff, aRows, i, aCols, b, bRows, bOff + j, c, cOff + i * ldc + j, ldc);
                }
                for (; i + 4 <= m; i += 4) {
                    tile4x2(p0, p1, a, aOff, aRows, i, aCols, b, bRows, bOff + j, c, cOff + i * ldc + j, ldc);
                }
                for (; i < m; i++) {
                    tile1x2(p0, p1, a, aOff, aRows, i, aCols, b, bRows, bOff + j, c, cOff + i * ldc + j, ldc);
                }
            }
            if (j + W <= n) {
                int i = 0;
                for (; i + 8 <= m; i += 8) {
                    tile8x1(p0, p1, a, aOff, aRows, i, aCols, b, bRows, bOff + j, c, cOff + i * ldc + j, ldc);
                }
                for (; i < m; i++) {
                    tile1x1(p0, p1, a, aOff, aRows, i, aCols, b, bRows, bOff + j, c, cOff + i * ldc + j, ldc);
                }
                j += W;
            }
            if (j < n) {
                tailColumns(m, j, n - j, p0, p1, a, aOff, aRows, aCols, b, bOff, bRows, c, cOff, ldc);
            }
        }
    }

    /**
     * The last {@code r < W} columns, still on vectors: B's columns are copied into zero-padded rows of one vector
     * and C's into a scratch tile, so that no load or store runs past a row; the padding lanes are dropped.
     */
    private static void tailColumns(int m, int j, int r, int p0, int p1, float[] a, int aOff, int[] aRows,
            int[] aCols, float[] b, int bOff, int[] bRows, float[] c, int cOff, int ldc) {
        float[] bTail = new float[(p1 - p0) * W];
        int[] tailRows = new int[p1];
        for (int p = p0; p < p1; p++) {
            tailRows[p] = (p - p0) * W;
            System.arraycopy(b, bRows[p] + bOff + j, bTail, tailRows[p], r);
        }
        float[] cTile = new float[8 * W];
        for (int i = 0; i < m; i += 8) {
            int rows = Math.min(8, m - i);
            for (int t = 0; t < rows; t++) {
                System.arraycopy(c, cOff + (i + t) * ldc + j, cTile, t * W, r);
            }
            if (rows == 8) {
                tile8x1(p0, p1, a, aOff, aRows, i, aCols, bTail, tailRows, 0, cTile, 0, W);
            } else {
                for (int t = 0; t < rows; t++) {
                    tile1x1(p0, p1, a, aOff, aRows, i + t, aCols, bTail, tailRows, 0, cTile, t * W, W);
                }
            }
            for (int t = 0; t < rows; t++) {
                System.arraycopy(cTile, t * W, c, cOff + (i + t) * ldc + j, r);
            }
        }
    }

    private static void tile8x2(int p0, int p1, float[] a, int aOff, int[] aRows, int i, int[] aCols, float[] b,
            int[] bRows, int bj, float[] c, int ci, int ldc) {
        int a0 = aOff + aRows[i];
        int a1 = aOff + aRows[i + 1];
        int a2 = aOff + aRows[i + 2];
        int a3 = aOff + aRows[i + 3];
        int a4 = aOff + aRows[i + 4];
        int a5 = aOff + aRows[i + 5];
        int a6 = aOff + aRows[i + 6];
        int a7 = aOff + aRows[i + 7];
        FloatVector c00 = FloatVector.fromArray(SPECIES, c, ci);
        FloatVector c01 = FloatVector.fromArray(SPECIES, c, ci + W);
        FloatVector c10 = FloatVector.fromArray(SPECIES, c, ci + ldc);
        FloatVector c11 = FloatVector.fromArray(SPECIES, c, ci + ldc + W);
        FloatVector c20 = FloatVector.fromArray(SPECIES, c, ci + 2 * ldc);
        FloatVector c21 = FloatVector.fromArray(SPECIES, c, ci + 2 * ldc + W);
        FloatVector c30 = FloatVector.fromArray(SPECIES, c, ci + 3 * ldc);
        FloatVector c31 = FloatVector.fromArray(SPECIES, c, ci + 3 * ldc + W);
        FloatVector c40 = FloatVector.fromArray(SPECIES, c, ci + 4 * ldc);
        FloatVector c41 = FloatVector.fromArray(SPECIES, c, ci + 4 * ldc + W);
        FloatVector c50 = FloatVector.fromArray(SPECIES, c, ci + 5 * ldc);
        FloatVector c51 = FloatVector.fromArray(SPECIES, c, ci + 5 * ldc + W);
        FloatVector c60 = FloatVector.fromArray(SPECIES, c, ci + 6 * ldc);
        FloatVector c61 = FloatVector.fromArray(SPECIES, c, ci + 6 * ldc + W);
        FloatVector c70 = FloatVector.fromArray(SPECIES, c, ci + 7 * ldc);
        FloatVector c71 = FloatVector.fromArray(SPECIES, c, ci + 7 * ldc + W);
        for (int p = p0; p < p1; p++) {
            int bo = bRows[p] + bj;
            int ap = aCols[p];
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bo);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bo + W);
            float x0 = a[a0 + ap];
            c00 = c00.add(b0.mul(x0));
            c01 = c01.add(b1.mul(x0));
            float x1 = a[a1 + ap];
            c10 = c10.add(b0.mul(x1));
            c11 = c11.add(b1.mul(x1));
            float x2 = a[a2 + ap];
            c20 = c20.add(b0.mul(x2));
            c21 = c21.add(b1.mul(x2));
            float x3 = a[a3 + ap];
            c30 = c30.add(b0.mul(x3));
            c31 = c31.add(b1.mul(x3));
            float x4 = a[a4 + ap];
            c40 = c40.add(b0.mul(x4));
            c41 = c41.add(b1.mul(x4));
            float x5 = a[a5 + ap];
            c50 = c50.add(b0.mul(x5));
            c51 = c51.add(b1.mul(x5));
            float x6 = a[a6 + ap];
            c60 = c60.add(b0.mul(x6));
            c61 = c61.add(b1.mul(x6));
            float x7 = a[a7 + ap];
            c70 = c70.add(b0.mul(x7));
            c71 = c71.add(b1.mul(x7));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + W);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + W);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + W);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + W);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + W);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + W);
        c60.intoArray(c, ci + 6 * ldc);
        c61.intoArray(c, ci + 6 * ldc + W);
        c70.intoArray(c, ci + 7 * ldc);
        c71.intoArray(c, ci + 7 * ldc + W);
    }

    private static void tile4x2(int p0, int p1, float[] a, int aOff, int[] aRows, int i, int[] aCols, float[] b,
            int[] bRows, int bj, float[] c, int ci, int ldc) {
        int a0 = aOff + aRows[i];
        int a1 = aOff + aRows[i + 1];
        int a2 = aOff + aRows[i + 2];
        int a3 = aOff + aRows[i + 3];
        FloatVector c00 = FloatVector.fromArray(SPECIES, c, ci);
        FloatVector c01 = FloatVector.fromArray(SPECIES, c, ci + W);
        FloatVector c10 = FloatVector.fromArray(SPECIES, c, ci + ldc);
        FloatVector c11 = FloatVector.fromArray(SPECIES, c, ci + ldc + W);
        FloatVector c20 = FloatVector.fromArray(SPECIES, c, ci + 2 * ldc);
        FloatVector c21 = FloatVector.fromArray(SPECIES, c, ci + 2 * ldc + W);
        FloatVector c30 = FloatVector.fromArray(SPECIES, c, ci + 3 * ldc);
        FloatVector c31 = FloatVector.fromArray(SPECIES, c, ci + 3 * ldc + W);
        for (int p = p0; p < p1; p++) {
            int bo = bRows[p] + bj;
            int ap = aCols[p];
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bo);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bo + W);
            float x0 = a[a0 + ap];
            c00 = c00.add(b0.mul(x0));
            c01 = c01.add(b1.mul(x0));
            float x1 = a[a1 + ap];
            c10 = c10.add(b0.mul(x1));
            c11 = c11.add(b1.mul(x1));
            float x2 = a[a2 + ap];
            c20 = c20.add(b0.mul(x2));
            c21 = c21.add(b1.mul(x2));
            float x3 = a[a3 + ap];
            c30 = c30.add(b0.mul(x3));
            c31 = c31.add(b1.mul(x3));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + W);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + W);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + W);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + W);
    }

    private static void tile1x2(int p0, int p1, float[] a, int aOff, int[] aRows, int i, int[] aCols, float[] b,
            int[] bRows, int bj, float[] c, int ci, int ldc) {
        int a0 = aOff + aRows[i];
        FloatVector c00 = FloatVector.fromArray(SPECIES, c, ci);
        FloatVector c01 = FloatVector.fromArray(SPECIES, c, ci + W);
        for (int p = p0; p < p1; p++) {
            int bo = bRows[p] + bj;
            int ap = aCols[p];
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bo);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bo + W);
            float x0 = a[a0 + ap];
            c00 = c00.add(b0.mul(x0));
            c01 = c01.add(b1.mul(x0));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + W);
    }

    private static void tile8x1(int p0, int p1, float[] a, int aOff, int[] aRows, int i, int[] aCols, float[] b,
            int[] bRows, int bj, float[] c, int ci, int ldc) {
        int a0 = aOff + aRows[i];
        int a1 = aOff + aRows[i + 1];
        int a2 = aOff + aRows[i + 2];
        int a3 = aOff + aRows[i + 3];
        int a4 = aOff + aRows[i + 4];
        int a5 = aOff + aRows[i + 5];
        int a6 = aOff + aRows[i + 6];
        int a7 = aOff + aRows[i + 7];
        FloatVector c00 = FloatVector.fromArray(SPECIES, c, ci);
        FloatVector c10 = FloatVector.fromArray(SPECIES, c, ci + ldc);
        FloatVector c20 = FloatVector.fromArray(SPECIES, c, ci + 2 * ldc);
        FloatVector c30 = FloatVector.fromArray(SPECIES, c, ci + 3 * ldc);
        FloatVector c40 = FloatVector.fromArray(SPECIES, c, ci + 4 * ldc);
        FloatVector c50 = FloatVector.fromArray(SPECIES, c, ci + 5 * ldc);
        FloatVector c60 = FloatVector.fromArray(SPECIES, c, ci + 6 * ldc);
        FloatVector c70 = FloatVector.fromArray(SPECIES, c, ci + 7 * ldc);
        for (int p = p0; p < p1; p++) {
            int bo = bRows[p] + bj;
            int ap = aCols[p];
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bo);
            float x0 = a[a0 + ap];
            c00 = c00.add(b0.mul(x0));
            float x1 = a[a1 + ap];
            c10 = c10.add(b0.mul(x1));
            float x2 = a[a2 + ap];
            c20 = c20.add(b0.mul(x2));
            float x3 = a[a3 + ap];
            c30 = c30.add(b0.mul(x3));
            float x4 = a[a4 + ap];
            c40 = c40.add(b0.mul(x4));
            float x5 = a[a5 + ap];
            c50 = c50.add(b0.mul(x5));
            float x6 = a[a6 + ap];
            c60 = c60.add(b0.mul(x6));
            float x7 = a[a7 + ap];
            c70 = c70.add(b0.mul(x7));
        }
        c00.intoArray(c, ci);
        c10.intoArray(c, ci + ldc);
        c20.intoArray(c, ci + 2 * ldc);
        c30.intoArray(c, ci + 3 * ldc);
        c40.intoArray(c, ci + 4 * ldc);
        c50.intoArray(c, ci + 5 * ldc);
        c60.intoArray(c, ci + 6 * ldc);
        c70.intoArray(c, ci + 7 * ldc);
    }

    private static void tile1x1(int p0, int p1, float[] a, int aOff, int[] aRows, int i, int[] aCols, float[] b,
            int[] bRows, int bj, float[] c, int ci, int ldc) {
        int a0 = aOff + aRows[i];
        FloatVector c00 = FloatVector.fromArray(SPECIES, c, ci);
        for (int p = p0; p < p1; p++) {
            int bo = bRows[p] + bj;
            int ap = aCols[p];
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bo);
            float x0 = a[a0 + ap];
            c00 = c00.add(b0.mul(x0));
        }
        c00.intoArray(c, ci);
    }


    @Override
    public String toString() {
        return "Vector API GEMM, " + W + "-float vectors, 8x2 register tiles";
    }
}
