package dev.tamp.optimizer.numerics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.optimizer.PropertyCases;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Tucker-2 as properties over random kernels. Its unfoldings' SVDs and the ALS projections are formed in double but
 * handed to {@link TruncatedSvd} as float32, so factors are orthonormal and reconstructions exact to float32
 * rounding: {@code ‖W − Ŵ‖_F <= 10·√(out·in·k)·2⁻²⁴·‖W‖_F} at full rank (each entry of Ŵ sums products of
 * orthonormal factors whose entries carry a relative error of order 2⁻²⁴).
 */
class Tucker2Properties {
    @TestFactory
    Stream<DynamicTest> fullRankIsExactAndAlsNeverHurts() {
        record Params(int out, int in, int k, int rank, long seed) {}
        return PropertyCases.forAll(20261129, 60,
                g -> new Params(g.ints("out", 1, 12), g.ints("in", 1, 12), g.ints("k", 1, 9), g.ints("rank", 1, 12),
                        g.longs("seed")),
                c -> fullRankIsExactAndAlsNeverHurts(c.out(), c.in(), c.k(), c.rank(), c.seed()));
    }

    void fullRankIsExactAndAlsNeverHurts(int out, int in, int k, int rank, long seed) {
        float[] w = TruncatedSvdProperties.matrix(out, in * k, 0, seed);
        double normSq = TruncatedSvd.frobeniusSquared(w);
        double floatTol = 10 * Math.sqrt((double) out * in * k) * 0x1p-24;
        Tucker2.Result full = Tucker2.decompose(w, out, in, k, new TruncatedSvd.Target.Rank(Math.min(out, in * k)),
                new TruncatedSvd.Target.Rank(Math.min(in, out * k)), 1, seed, 1);
        assertThat(Math.sqrt(full.errorSquared(w))).isLessThanOrEqualTo(floatTol * Math.sqrt(normSq));

        TruncatedSvd.Target ro = new TruncatedSvd.Target.Rank(Math.min(rank, Math.min(out, in * k)));
        TruncatedSvd.Target ri = new TruncatedSvd.Target.Rank(Math.min(rank, Math.min(in, out * k)));
        double hosvd = Tucker2.decompose(w, out, in, k, ro, ri, 0, seed, 1).errorSquared(w);
        Tucker2.Result als = Tucker2.decompose(w, out, in, k, ro, ri, 2, seed, 1);
        // HOOI never increases the error in exact arithmetic; float32 rounding of the projections can add
        // 2·floatTol·‖W‖² at most.
        assertThat(als.errorSquared(w)).isLessThanOrEqualTo(hosvd + 2 * floatTol * normSq);
        // With orthonormal factors the error is ‖W‖² − ‖G‖² (Pythagoras).
        double coreSq = 0;
        for (double g : als.core()) {
            coreSq += g * g;
        }
        assertThat(als.errorSquared(w)).isCloseTo(normSq - coreSq,
                org.assertj.core.data.Offset.offset(2 * floatTol * normSq));
    }
}
