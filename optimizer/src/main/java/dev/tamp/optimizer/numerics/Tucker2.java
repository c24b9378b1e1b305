package dev.tamp.optimizer.numerics;

/**
 * Tucker-2 decomposition of a convolution kernel {@code W [out, in, k]} ({@code k = k_h·k_w} spatial positions,
 * which stay uncompressed): {@code W ≈ G ×₀ U_out ×₁ U_in}, i.e. {@code W[o,c,q] ≈ Σ U_out[o,s] U_in[c,t] G[s,t,q]}
 * with orthonormal {@code U_out [out, r_out]} and {@code U_in [in, r_in]} (Kim et al. 2016). The factors start as
 * the HOSVD's (leading left singular vectors of the mode-0 unfolding {@code [out, in·k]} and the mode-1 unfolding
 * {@code [in, out·k]}) and are refined by alternating least squares (HOOI, De Lathauwer et al. 2000): each sweep
 * replaces {@code U_out} by the leading left singular vectors of {@code W ×₁ U_inᵀ}, then {@code U_in} likewise, which
 * never increases {@code ‖W - Ŵ‖²_F = ‖W‖²_F - ‖G‖²_F}. The core is {@code G = W ×₀ U_outᵀ ×₁ U_inᵀ}.
 */
public final class Tucker2 {
    private Tucker2() {}

    /**
     * @param uOut {@code [out, rankOut]} row-major
     * @param uIn {@code [in, rankIn]} row-major
     * @param core {@code [rankOut, rankIn, k]} row-major
     */
    public record Result(int out, int in, int k, int rankOut, int rankIn, double[] uOut, double[] uIn,
            double[] core) {
        /** {@code ‖W - Ŵ‖²_F} of the reconstruction, summed in double. */
        public double errorSquared(float[] w) {
            double err = 0;
            for (int o = 0; o < out; o++) {
                for (int c = 0; c < in; c++) {
                    for (int q = 0; q < k; q++) {
                        double sum = 0;
                        for (int s = 0; s < rankOut; s++) {
                            for (int t = 0; t < rankIn; t++) {
                                sum += uOut[o * rankOut + s] * uIn[c * rankIn + t] * core[(s * rankIn + t) * k + q];
                            }
                        }
                        double e = w[(o * in + c) * k + q] - sum;
                        err += e * e;
                    }
                }
            }
            return err;
        }
    }

    /**
     * The decomposition with the mode ranks {@code outTarget} and {@code inTarget} choose on the HOSVD's unfoldings
     * (an explicit rank at most {@code min(out, in·k)}, resp. {@code min(in, out·k)}), refined by {@code sweeps} ALS
     * sweeps.
     */
    public static Result decompose(float[] w, int out, int in, int k, TruncatedSvd.Target outTarget,
            TruncatedSvd.Target inTarget, int sweeps, long seed, int threads) {
        TruncatedSvd.Result mode0 = TruncatedSvd.compute(w, out, in * k, outTarget, seed, threads);
        TruncatedSvd.Result mode1 = TruncatedSvd.compute(unfold1(w, out, in, k), in, out * k, inTarget, seed,
                threads);
        int rOut = mode0.rank();
        int rIn = mode1.rank();
        double[] uOut = mode0.u();
        double[] uIn = mode1.u();
        // A sweep's unfoldings are [out, rIn·k] and [in, rOut·k]; when one is narrower than its mode's rank the ranks
        // are degenerate (the effective rank is lower), ALS has nothing to choose among, and the HOSVD stands.
        int feasibleSweeps = rOut <= rIn * k && rIn <= rOut * k ? sweeps : 0;
        for (int sweep = 0; sweep < feasibleSweeps; sweep++) {
            // W ×₁ U_inᵀ as [out, rIn·k]
            double[] t = new double[out * rIn * k];
            for (int o = 0; o < out; o++) {
                for (int c = 0; c < in; c++) {
                    for (int s = 0; s < rIn; s++) {
                        double a = uIn[c * rIn + s];
                        for (int q = 0; q < k; q++) {
                            t[(o * rIn + s) * k + q] += a * w[(o * in + c) * k + q];
                        }
                    }
                }
            }
            uOut = TruncatedSvd.compute(toFloats(t), out, rIn * k, new TruncatedSvd.Target.Rank(rOut), seed, threads).u();
            // W ×₀ U_outᵀ as [in, rOut·k]
            double[] t1 = new double[in * rOut * k];
            for (int o = 0; o < out; o++) {
                for (int s = 0; s < rOut; s++) {
                    double a = uOut[o * rOut + s];
                    for (int c = 0; c < in; c++) {
                        for (int q = 0; q < k; q++) {
                            t1[(c * rOut + s) * k + q] += a * w[(o * in + c) * k + q];
                        }
                    }
                }
            }
            uIn = TruncatedSvd.compute(toFloats(t1), in, rOut * k, new TruncatedSvd.Target.Rank(rIn), seed, threads).u();
        }
        return new Result(out, in, k, rOut, rIn, uOut, uIn, core(w, out, in, k, uOut, rOut, uIn, rIn));
    }

    private static float[] toFloats(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }

    /** The mode-1 unfolding {@code [in, out·k]}: {@code M[c, o·k + q] = W[o, c, q]}. */
    static float[] unfold1(float[] w, int out, int in, int k) {
        float[] m = new float[w.length];
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < in; c++) {
                System.arraycopy(w, (o * in + c) * k, m, c * out * k + o * k, k);
            }
        }
        return m;
    }

    private static double[] core(float[] w, int out, int in, int k, double[] uOut, int rOut, double[] uIn, int rIn) {
        // First contract the input channels ([out, rIn, k]), then the output channels.
        double[] t = new double[out * rIn * k];
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < in; c++) {
                for (int s = 0; s < rIn; s++) {
                    double a = uIn[c * rIn + s];
                    for (int q = 0; q < k; q++) {
                        t[(o * rIn + s) * k + q] += a * w[(o * in + c) * k + q];
                    }
                }
            }
        }
        double[] g = new double[rOut * rIn * k];
        for (int o = 0; o < out; o++) {
            for (int s = 0; s < rOut; s++) {
                double a = uOut[o * rOut + s];
                for (int i = 0; i < rIn * k; i++) {
                    g[s * rIn * k + i] += a * t[o * rIn * k + i];
                }
            }
        }
        return g;
    }
}
