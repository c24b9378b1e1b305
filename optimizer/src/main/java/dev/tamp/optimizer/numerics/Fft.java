package dev.tamp.optimizer.numerics;

/**
 * An in-place complex discrete Fourier transform of one fixed size {@code n}, any {@code n >= 1}: iterative radix-2
 * when {@code n} is a power of two, Bluestein's chirp-z algorithm otherwise (the DFT as a cyclic convolution of a
 * power-of-two length {@code M >= 2n - 1}). Forward is {@code X_k = sum_j x_j exp(-2 pi i jk / n)}; inverse includes
 * the {@code 1/n}. Twiddles and chirps come from {@link Math#cos}/{@link Math#sin} of exactly reduced angles (the
 * chirp's {@code j^2 mod 2n} in integers), so their error is a few units in the last place, as Higham's FFT error
 * bound (Accuracy and Stability of Numerical Algorithms, Thm 24.2) assumes. Instances are immutable and thread-safe.
 */
public final class Fft {
    private final int n;
    private final Radix2 radix2;
    // Bluestein only: chirp exp(-i pi j^2 / n) and the transform of its conjugate, wrapped to the length M.
    private final double[] chirpRe;
    private final double[] chirpIm;
    private final double[] kernelRe;
    private final double[] kernelIm;

    public Fft(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("transform size must be positive, got " + n);
        }
        this.n = n;
        if (Integer.bitCount(n) == 1) {
            radix2 = new Radix2(n);
            chirpRe = chirpIm = kernelRe = kernelIm = null;
            return;
        }
        int m = Integer.highestOneBit(2 * n - 1) << 1;
        radix2 = new Radix2(m);
        chirpRe = new double[n];
        chirpIm = new double[n];
        for (int j = 0; j < n; j++) {
            double angle = Math.PI * (double) (((long) j * j) % (2L * n)) / n;
            chirpRe[j] = Math.cos(angle);
            chirpIm[j] = -Math.sin(angle);
        }
        kernelRe = new double[m];
        kernelIm = new double[m];
        kernelRe[0] = chirpRe[0];
        kernelIm[0] = -chirpIm[0];
        for (int j = 1; j < n; j++) {
            kernelRe[j] = kernelRe[m - j] = chirpRe[j];
            kernelIm[j] = kernelIm[m - j] = -chirpIm[j];
        }
        radix2.transform(kernelRe, kernelIm);
    }

    public int size() {
        return n;
    }

    /** The length of the power-of-two transforms doing the work: {@code n} itself, or Bluestein's {@code M}. */
    public int workSize() {
        return radix2.m;
    }

    /** Replaces {@code (re, im)}, of length {@code n}, by its forward DFT. */
    public void forward(double[] re, double[] im) {
        if (re.length != n || im.length != n) {
            throw new IllegalArgumentException("transform of size " + n + " given " + re.length + "/" + im.length);
        }
        if (chirpRe == null) {
            radix2.transform(re, im);
            return;
        }
        int m = radix2.m;
        double[] ar = new double[m];
        double[] ai = new double[m];
        for (int j = 0; j < n; j++) {
            ar[j] = re[j] * chirpRe[j] - im[j] * chirpIm[j];
            ai[j] = re[j] * chirpIm[j] + im[j] * chirpRe[j];
        }
        radix2.transform(ar, ai);
        for (int k = 0; k < m; k++) {
            double r = ar[k] * kernelRe[k] - ai[k] * kernelIm[k];
            ai[k] = ar[k] * kernelIm[k] + ai[k] * kernelRe[k];
            ar[k] = r;
        }
        radix2.inverse(ar, ai);
        for (int k = 0; k < n; k++) {
            re[k] = ar[k] * chirpRe[k] - ai[k] * chirpIm[k];
            im[k] = ar[k] * chirpIm[k] + ai[k] * chirpRe[k];
        }
    }

    /** Replaces {@code (re, im)} by its inverse DFT, {@code 1/n} included. */
    public void inverse(double[] re, double[] im) {
        // conj(F(conj(x))) / n is the inverse transform.
        for (int j = 0; j < n; j++) {
            im[j] = -im[j];
        }
        forward(re, im);
        double scale = 1.0 / n;
        for (int j = 0; j < n; j++) {
            re[j] *= scale;
            im[j] *= -scale;
        }
    }

    /** The iterative Cooley-Tukey transform of a power-of-two length, with its twiddles and bit reversal. */
    private static final class Radix2 {
        final int m;
        final double[] cos;
        final double[] sin;
        final int[] reversed;

        Radix2(int m) {
            this.m = m;
            cos = new double[Math.max(1, m / 2)];
            sin = new double[cos.length];
            for (int k = 0; k < m / 2; k++) {
                double angle = 2 * Math.PI * k / m;
                cos[k] = Math.cos(angle);
                sin[k] = Math.sin(angle);
            }
            reversed = new int[m];
            int bits = Integer.numberOfTrailingZeros(m);
            for (int i = 0; i < m; i++) {
                reversed[i] = bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits);
            }
        }

        /** Forward transform, exp(-2 pi i jk / m). */
        void transform(double[] re, double[] im) {
            for (int i = 0; i < m; i++) {
                int r = reversed[i];
                if (r > i) {
                    double t = re[i];
                    re[i] = re[r];
                    re[r] = t;
                    t = im[i];
                    im[i] = im[r];
                    im[r] = t;
                }
            }
            for (int len = 2; len <= m; len <<= 1) {
                int half = len >> 1;
                int step = m / len;
                for (int start = 0; start < m; start += len) {
                    for (int k = 0; k < half; k++) {
                        double wr = cos[k * step];
                        double wi = -sin[k * step];
                        int a = start + k;
                        int b = a + half;
                        double tr = re[b] * wr - im[b] * wi;
                        double ti = re[b] * wi + im[b] * wr;
                        re[b] = re[a] - tr;
                        im[b] = im[a] - ti;
                        re[a] += tr;
                        im[a] += ti;
                    }
                }
            }
        }

        /** Inverse transform with the 1/m. */
        void inverse(double[] re, double[] im) {
            for (int j = 0; j < m; j++) {
                im[j] = -im[j];
            }
            transform(re, im);
            double scale = 1.0 / m;
            for (int j = 0; j < m; j++) {
                re[j] *= scale;
                im[j] *= -scale;
            }
        }
    }
}
