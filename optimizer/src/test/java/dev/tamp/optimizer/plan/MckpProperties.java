package dev.tamp.optimizer.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.optimizer.PropertyCases;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The knapsack solver against brute force on small random instances. */
class MckpProperties {
    /** A small instance: groups of items with integer sizes and values, a capacity, an optional extra budget. */
    record Instance(List<List<Mckp.Item>> groups, long capacity, double extraCapacity) {}

    private static Instance instance(PropertyCases.Gen gen, boolean withExtra) {
        int groups = gen.ints("groups", 1, 5);
        long seed = gen.longs("seed");
        SplittableRandom r = new SplittableRandom(seed);
        List<List<Mckp.Item>> gs = new ArrayList<>();
        long maxTotal = 0;
        for (int g = 0; g < groups; g++) {
            int n = 1 + r.nextInt(4);
            List<Mckp.Item> items = new ArrayList<>();
            long max = 0;
            for (int j = 0; j < n; j++) {
                long size = r.nextInt(21);
                max = Math.max(max, size);
                // Values on a coarse grid so ties happen, and negative ones (compression that helps) too.
                items.add(new Mckp.Item((r.nextInt(41) - 10) / 4.0, size, new double[] {r.nextInt(10)}));
            }
            maxTotal += max;
            gs.add(items);
        }
        long capacity = r.nextInt((int) maxTotal + 5);
        double extra = withExtra ? r.nextInt(10 * groups + 1) : Double.POSITIVE_INFINITY;
        return new Instance(gs, capacity, extra);
    }

    /** The optimum by enumeration: the least value, ties to the smaller size; empty if nothing fits. */
    private static Optional<Mckp.Solution> brute(Instance in) {
        int n = in.groups().size();
        int[] choice = new int[n];
        Mckp.Solution best = null;
        while (true) {
            Mckp.Solution s = Mckp.totals(in.groups(), choice, 1);
            if (s.size() <= in.capacity() && s.extras()[0] <= in.extraCapacity() && (best == null
                    || s.value() < best.value() - 1e-12
                    || (Math.abs(s.value() - best.value()) <= 1e-12 && s.size() < best.size()))) {
                best = s;
            }
            int g = 0;
            while (g < n && ++choice[g] == in.groups().get(g).size()) {
                choice[g++] = 0;
            }
            if (g == n) {
                return Optional.ofNullable(best);
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> sizeOnlyIsExact() {
        return PropertyCases.forAll(7001, 300, gen -> instance(gen, false), in -> {
            Optional<Mckp.Solution> dp = Mckp.solve(in.groups(), in.capacity(), new double[] {in.extraCapacity()}, 1);
            Optional<Mckp.Solution> bf = brute(in);
            assertThat(dp.isPresent()).as("feasible").isEqualTo(bf.isPresent());
            if (bf.isPresent()) {
                assertThat(dp.get().value()).isCloseTo(bf.get().value(), org.assertj.core.data.Offset.offset(1e-9));
                assertThat(dp.get().size()).isEqualTo(bf.get().size());
                assertThat(dp.get().size()).isLessThanOrEqualTo(in.capacity());
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> looserCapacityNeverGivesASmallerSolutionUnlessBetter() {
        return PropertyCases.forAll(7002, 200, gen -> instance(gen, false), in -> {
            Optional<Mckp.Solution> tight = Mckp.solve(in.groups(), in.capacity(), new double[] {1e300}, 1);
            Optional<Mckp.Solution> loose = Mckp.solve(in.groups(), in.capacity() + 7, new double[] {1e300}, 1);
            if (tight.isPresent()) {
                assertThat(loose).isPresent();
                assertThat(loose.get().value()).isLessThanOrEqualTo(tight.get().value() + 1e-12);
                if (Math.abs(loose.get().value() - tight.get().value()) <= 1e-12) {
                    assertThat(loose.get().size()).isLessThanOrEqualTo(tight.get().size());
                }
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> extraBudgetIsNeverBrokenAndNeverBeatsTheOptimum() {
        return PropertyCases.forAll(7003, 300, gen -> instance(gen, true), in -> {
            Optional<Mckp.Solution> dp = Mckp.solve(in.groups(), in.capacity(), new double[] {in.extraCapacity()}, 1);
            Optional<Mckp.Solution> bf = brute(in);
            if (bf.isEmpty()) {
                assertThat(dp).isEmpty();
            }
            if (dp.isPresent()) {
                assertThat(dp.get().size()).isLessThanOrEqualTo(in.capacity());
                assertThat(dp.get().extras()[0]).isLessThanOrEqualTo(in.extraCapacity());
                assertThat(dp.get().value()).isGreaterThanOrEqualTo(bf.get().value() - 1e-9);
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> coarseUnitsStayFeasible() {
        return PropertyCases.forAll(7004, 200, gen -> instance(gen, false), in -> {
            Optional<Mckp.Solution> dp = Mckp.solve(in.groups(), in.capacity(), new double[] {1e300}, 3);
            Optional<Mckp.Solution> bf = brute(in);
            if (dp.isPresent()) {
                assertThat(dp.get().size()).isLessThanOrEqualTo(in.capacity());
                assertThat(dp.get().value()).isGreaterThanOrEqualTo(bf.get().value() - 1e-9);
            }
        });
    }
}
