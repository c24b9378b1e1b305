package dev.tamp.optimizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.ThrowingConsumer;
import org.opentest4j.TestAbortedException;

/**
 * Deterministic generated cases for the property tests ({@code *Properties}), as plain JUnit 5 dynamic tests.
 *
 * <p>A property is a {@code @TestFactory} that returns {@link #forAll}: a fixed seed, a number of tries, a generator
 * that draws the parameters from a {@link Gen}, and the check. The cases are, in order:
 * <ol>
 *   <li><b>edge cases</b> (about a quarter of the tries): every parameter at one of its awkward values: range ends
 *   and their neighbours, 0 and ±1 where in range, {@code Long.MIN_VALUE}/{@code MAX_VALUE}, both booleans, and for
 *   arrays the smallest and largest sizes, all zeros, all equal, ties, extreme values and skewed contents. The first
 *   case has every parameter at its first (smallest) edge, the second every one at its largest, then each edge of
 *   every parameter appears at least once; the remaining budget holds all combinations when they fit, else random
 *   ones without repeats;</li>
 *   <li><b>random cases</b>: case {@code i} draws from {@code new SplittableRandom(caseSeed_i)}, {@code caseSeed_i}
 *   being the {@code i}-th {@code nextLong()} of {@code new SplittableRandom(seed)} (so a case does not depend on
 *   how the others drew). Values are biased as in
 *   property-testing libraries: one draw in ten is an edge value, a quarter of the ints lie near the simplest value
 *   (0, or the range's end nearest to it), and arrays mix uniform, two-decimal, tied, edge-studded and
 *   magnitude-skewed contents, a third of them short.</li>
 * </ol>
 *
 * <p>Each case is one dynamic test named by its index and parameters; a failure is rethrown with the case, its seed
 * and how to rerun it alone: {@code mvn -pl optimizer -am test -Dtamp.skipNode -Dtest=Class#property
 * -Dtamp.property.case=<index> -Dsurefire.failIfNoSpecifiedTests=false}. {@code -Dtamp.property.seed=<long>} replaces
 * every property's seed, to explore further cases.
 */
public final class PropertyCases {
    /** System property: run only the case of this index (from 1). */
    public static final String CASE = "tamp.property.case";
    /** System property: use this seed instead of the properties' own. */
    public static final String SEED = "tamp.property.seed";

    private static final int SHOWN_ELEMENTS = 6;

    private PropertyCases() {}

    /**
     * One generated case: its index (from 1, as JUnit numbers dynamic tests in reports: {@code property()[index]}),
     * whether it is an edge case, the seed of its random draws, its parameters shown, and its value.
     */
    public record Case<T>(int index, boolean edge, long caseSeed, String parameters, T value) {
        public String description() {
            return "#" + index + (edge ? " edge" : "") + ": " + parameters;
        }
    }

    /**
     * The cases of a property as dynamic tests. Call it directly from the {@code @TestFactory} method: that method's
     * name is the property's name in failure messages.
     */
    public static <T> Stream<DynamicTest> forAll(long seed, int tries, Function<Gen, T> generator,
            ThrowingConsumer<T> property) {
        StackWalker.StackFrame caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .walk(frames -> frames.skip(1).findFirst()).orElseThrow();
        String test = caller.getDeclaringClass().getSimpleName() + "#" + caller.getMethodName();
        String seedOverride = System.getProperty(SEED, "").trim();
        long effectiveSeed = seedOverride.isEmpty() ? seed : Long.decode(seedOverride);
        String only = System.getProperty(CASE, "").trim();
        List<Case<T>> cases = cases(effectiveSeed, tries, generator);
        return cases.stream()
                .filter(c -> only.isEmpty() || c.index() == Integer.parseInt(only))
                .map(c -> DynamicTest.dynamicTest(c.description(), () -> check(test, effectiveSeed, tries,
                        !seedOverride.isEmpty(), c, property)));
    }

    private static <T> void check(String test, long seed, int tries, boolean seedOverridden, Case<T> c,
            ThrowingConsumer<T> property) throws Throwable {
        try {
            property.accept(c.value());
        } catch (TestAbortedException | VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(String.format(
                    "%s falsified by case %s%n  (case %d of %d, property seed %d, case seed %d)%n"
                            + "  rerun it alone: mvn -pl optimizer -am test -Dtamp.skipNode -Dtest=%s -D%s=%d%s"
                            + " -Dsurefire.failIfNoSpecifiedTests=false%n%s",
                    test, c.description(), c.index(), tries, seed, c.caseSeed(), test, CASE, c.index(),
                    seedOverridden ? " -D" + SEED + "=" + seed : "", e), e);
        }
    }

    /** The cases, edge cases first; deterministic in {@code seed}. */
    public static <T> List<Case<T>> cases(long seed, int tries, Function<Gen, T> generator) {
        SplittableRandom master = new SplittableRandom(seed);
        long[] caseSeeds = new long[tries];
        for (int i = 0; i < tries; i++) {
            caseSeeds[i] = master.nextLong();
        }
        Gen recorder = new Gen(null, new SplittableRandom(seed));
        generator.apply(recorder);
        int[] counts = recorder.edgeCounts.stream().mapToInt(Integer::intValue).toArray();
        List<int[]> edges = edgeCombinations(counts, tries, master.split());
        List<Case<T>> cases = new ArrayList<>(tries);
        for (int i = 0; i < tries; i++) {
            boolean edge = i < edges.size();
            Gen gen = new Gen(edge ? edges.get(i) : null, new SplittableRandom(caseSeeds[i]));
            gen.random = !edge;
            T value = generator.apply(gen);
            cases.add(new Case<>(i + 1, edge, caseSeeds[i], String.join(", ", gen.shown), value));
        }
        return cases;
    }

    /** Indices into each parameter's edge values: all smallest, all largest, a diagonal, then all or random ones. */
    static List<int[]> edgeCombinations(int[] counts, int tries, SplittableRandom rnd) {
        int most = Arrays.stream(counts).max().orElse(0);
        int budget = Math.min(tries, Math.max(tries / 4, most + 2));
        long product = 1;
        for (int c : counts) {
            product = Math.min(product * c, Integer.MAX_VALUE);
        }
        List<int[]> combos = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        if (counts.length == 0) {
            return combos;
        }
        java.util.function.Consumer<int[]> add = combo -> {
            if (combos.size() < budget && seen.add(Arrays.toString(combo))) {
                combos.add(combo);
            }
        };
        add.accept(new int[counts.length]);
        // Every generator lists its smallest edge first and its largest second.
        int[] largest = new int[counts.length];
        for (int p = 0; p < counts.length; p++) {
            largest[p] = Math.min(1, counts[p] - 1);
        }
        add.accept(largest);
        for (int j = 0; j < most; j++) {
            int[] combo = new int[counts.length];
            for (int p = 0; p < counts.length; p++) {
                combo[p] = (j + p) % counts[p];
            }
            add.accept(combo);
        }
        if (product <= budget) {
            for (int k = 0; k < product; k++) {
                int[] combo = new int[counts.length];
                int rest = k;
                for (int p = 0; p < counts.length; p++) {
                    combo[p] = rest % counts[p];
                    rest /= counts[p];
                }
                add.accept(combo);
            }
        } else {
            for (int attempts = 0; combos.size() < budget && attempts < 20 * budget; attempts++) {
                int[] combo = new int[counts.length];
                for (int p = 0; p < counts.length; p++) {
                    combo[p] = rnd.nextInt(counts[p]);
                }
                add.accept(combo);
            }
        }
        return combos;
    }

    /**
     * Draws one case's parameters. Every draw is named; the names and values make up the case's description. Draw
     * in a fixed order (the n-th draw of every case is the same parameter).
     */
    public static final class Gen {
        private final int[] edgeIndices;
        private final SplittableRandom rnd;
        private final List<Integer> edgeCounts = new ArrayList<>();
        private final List<String> shown = new ArrayList<>();
        private boolean random;

        private Gen(int[] edgeIndices, SplittableRandom rnd) {
            this.edgeIndices = edgeIndices;
            this.rnd = rnd;
        }

        /** This case's own random source, for anything beyond the named parameters. */
        public SplittableRandom random() {
            return rnd;
        }

        private <T> T draw(String name, List<Supplier<T>> edges, Supplier<T> uniform, Function<T, String> show) {
            int position = edgeCounts.size();
            edgeCounts.add(edges.size());
            T value;
            if (random) {
                value = rnd.nextInt(10) == 0 ? edges.get(rnd.nextInt(edges.size())).get() : uniform.get();
            } else {
                int e = edgeIndices == null || position >= edgeIndices.length ? 0 : edgeIndices[position];
                value = edges.get(Math.min(e, edges.size() - 1)).get();
            }
            shown.add(name + "=" + show.apply(value));
            return value;
        }

        /** An int in {@code [min, max]}. Edges: min, max, their neighbours, 0 and ±1. */
        public int ints(String name, int min, int max) {
            if (min > max) {
                throw new IllegalArgumentException(min + " > " + max);
            }
            List<Supplier<Integer>> edges = new ArrayList<>();
            Set<Long> seen = new HashSet<>();
            for (long v : new long[] {min, max, (long) min + 1, (long) max - 1, 0, 1, -1}) {
                if (v >= min && v <= max && seen.add(v)) {
                    edges.add(() -> (int) v);
                }
            }
            return draw(name, edges, () -> {
                if (rnd.nextInt(4) == 0) {
                    // Near the simplest value, where biased property-test distributions concentrate.
                    long target = Math.max(min, Math.min(max, 0));
                    long width = Math.max(1, ((long) max - min) / 10);
                    long v = target + rnd.nextLong(-width, width + 1);
                    return (int) Math.max(min, Math.min(max, v));
                }
                return (int) rnd.nextLong(min, (long) max + 1);
            }, String::valueOf);
        }

        /** Any long. Edges: {@code Long.MIN_VALUE}, {@code Long.MAX_VALUE}, 0, ±1 and the extremes' neighbours. */
        public long longs(String name) {
            List<Supplier<Long>> edges = new ArrayList<>();
            for (long v : new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0, 1, -1, Long.MIN_VALUE + 1,
                    Long.MAX_VALUE - 1}) {
                edges.add(() -> v);
            }
            return draw(name, edges, rnd::nextLong, String::valueOf);
        }

        /** A boolean; both are edges. */
        public boolean booleans(String name) {
            return draw(name, List.of(() -> false, () -> true), rnd::nextBoolean, String::valueOf);
        }

        /** A double in {@code [min, max]}. Edges: min, max, just inside each, 0, ±1 and the midpoint. */
        public double doubles(String name, double min, double max) {
            if (!(min <= max)) {
                throw new IllegalArgumentException(min + " > " + max);
            }
            List<Supplier<Double>> edges = new ArrayList<>();
            Set<Double> seen = new HashSet<>();
            for (double v : new double[] {min, max, Math.nextUp(min), Math.nextDown(max), 0, 1, -1,
                    min + (max - min) / 2}) {
                if (v >= min && v <= max && seen.add(v)) {
                    edges.add(() -> v);
                }
            }
            return draw(name, edges, () -> {
                if (rnd.nextInt(4) == 0) {
                    // Two decimals (a common default scale for generated decimals): round values and ties.
                    double v = Math.round((min + rnd.nextDouble() * (max - min)) * 100) / 100.0;
                    return Math.max(min, Math.min(max, v));
                }
                return min == max ? min : Math.min(max, min + rnd.nextDouble() * (max - min));
            }, String::valueOf);
        }

        /**
         * A float array of a length in {@code [minSize, maxSize]} with elements in {@code [min, max]}. Edges: the
         * shortest array of zeros, of min and of max; the longest of uniform values, of zeros, of one repeated value,
         * of the extremes and zeros in turn (ties), of two-decimal values, and of tiny values with one maximal
         * outlier.
         */
        public float[] floats(String name, int minSize, int maxSize, float min, float max) {
            float zero = clamp(0f, min, max);
            List<Supplier<float[]>> edges = List.of(
                    () -> filled(minSize, zero),
                    () -> uniformFloats(maxSize, min, max),
                    () -> filled(minSize, max),
                    () -> filled(minSize, min),
                    () -> filled(maxSize, zero),
                    () -> filled(maxSize, uniformFloat(min, max)),
                    () -> {
                        float[] pool = {min, max, zero, clamp(-0f, min, max), clamp(0.01f, min, max)};
                        float[] a = new float[maxSize];
                        for (int i = 0; i < maxSize; i++) {
                            a[i] = pool[i % pool.length];
                        }
                        return a;
                    },
                    () -> twoDecimals(maxSize, min, max),
                    () -> {
                        float[] a = new float[maxSize];
                        for (int i = 0; i < maxSize; i++) {
                            a[i] = clamp((float) (rnd.nextDouble(-1, 1) * 1e-6), min, max);
                        }
                        if (maxSize > 0) {
                            a[rnd.nextInt(maxSize)] = max;
                        }
                        return a;
                    });
            return draw(name, edges, () -> {
                int size = size(minSize, maxSize);
                int style = rnd.nextInt(20);
                if (style < 8) {
                    return uniformFloats(size, min, max);
                } else if (style < 12) {
                    return twoDecimals(size, min, max);
                } else if (style < 15) {
                    float[] pool = uniformFloats(1 + rnd.nextInt(4), min, max);
                    float[] a = new float[size];
                    for (int i = 0; i < size; i++) {
                        a[i] = pool[rnd.nextInt(pool.length)];
                    }
                    return a;
                } else if (style < 18) {
                    float[] pool = {min, max, zero, clamp(-0f, min, max), clamp(0.01f, min, max),
                            clamp(-0.01f, min, max)};
                    float[] a = uniformFloats(size, min, max);
                    for (int i = 0; i < size; i++) {
                        if (rnd.nextInt(4) == 0) {
                            a[i] = pool[rnd.nextInt(pool.length)];
                        }
                    }
                    return a;
                } else {
                    float[] a = uniformFloats(size, min, max);
                    for (int i = 0; i < size; i++) {
                        a[i] = clamp((float) (a[i] * Math.pow(10, -rnd.nextInt(7))), min, max);
                    }
                    return a;
                }
            }, a -> show(a.length, "float", i -> String.valueOf(a[i])));
        }

        /**
         * A long array of a length in {@code [minSize, maxSize]} with elements in {@code [min, max]}. Edges: the
         * shortest array of min, of max and of 1; the longest of uniform values, of min, of max, of min but one
         * random element, of halving values (max, max/2, ...: a skewed, deep code), of Fibonacci numbers and of two
         * values in turn.
         */
        public long[] longs(String name, int minSize, int maxSize, long min, long max) {
            long one = clampLong(1, min, max);
            List<Supplier<long[]>> edges = List.of(
                    () -> filledLongs(minSize, min),
                    () -> uniformLongs(maxSize, min, max),
                    () -> filledLongs(minSize, max),
                    () -> filledLongs(minSize, one),
                    () -> filledLongs(maxSize, min),
                    () -> filledLongs(maxSize, max),
                    () -> {
                        long[] a = filledLongs(maxSize, min);
                        if (maxSize > 0) {
                            a[rnd.nextInt(maxSize)] = rnd.nextLong(min, max == Long.MAX_VALUE ? max : max + 1);
                        }
                        return a;
                    },
                    () -> {
                        long[] a = new long[maxSize];
                        for (int i = 0; i < maxSize; i++) {
                            a[i] = clampLong(max >> Math.min(63, i), Math.max(min, one), max);
                        }
                        return a;
                    },
                    () -> {
                        long[] a = new long[maxSize];
                        long x = 1;
                        long y = 1;
                        for (int i = 0; i < maxSize; i++) {
                            a[i] = clampLong(x, min, max);
                            long z = x + y < 0 ? Long.MAX_VALUE : x + y;
                            x = y;
                            y = z;
                        }
                        return a;
                    },
                    () -> {
                        long[] a = new long[maxSize];
                        for (int i = 0; i < maxSize; i++) {
                            a[i] = i % 2 == 0 ? max : one;
                        }
                        return a;
                    });
            return draw(name, edges, () -> {
                int size = size(minSize, maxSize);
                int style = rnd.nextInt(20);
                long[] a = uniformLongs(size, min, max);
                if (style < 7) {
                    return a;
                } else if (style < 10) {
                    // Small values.
                    for (int i = 0; i < size; i++) {
                        a[i] = clampLong(min + rnd.nextInt(11), min, max);
                    }
                } else if (style < 13) {
                    long[] pool = uniformLongs(1 + rnd.nextInt(4), min, max);
                    for (int i = 0; i < size; i++) {
                        a[i] = pool[rnd.nextInt(pool.length)];
                    }
                } else if (style < 16) {
                    long[] pool = {min, max, clampLong(0, min, max), one};
                    for (int i = 0; i < size; i++) {
                        if (rnd.nextInt(4) == 0) {
                            a[i] = pool[rnd.nextInt(pool.length)];
                        }
                    }
                } else {
                    // Power-law: max shifted right by a random amount, zeros (when in range) included.
                    int bits = 64 - Long.numberOfLeadingZeros(Math.max(1, max));
                    for (int i = 0; i < size; i++) {
                        a[i] = clampLong(max >> rnd.nextInt(bits + 1), min, max);
                    }
                }
                return a;
            }, a -> show(a.length, "long", i -> String.valueOf(a[i])));
        }

        private int size(int minSize, int maxSize) {
            int pick = rnd.nextInt(10);
            if (pick == 0) {
                return rnd.nextBoolean() ? minSize : maxSize;
            } else if (pick < 4) {
                return minSize + rnd.nextInt(Math.min(maxSize - minSize, 10) + 1);
            }
            return minSize + rnd.nextInt(maxSize - minSize + 1);
        }

        private float uniformFloat(float min, float max) {
            return clamp((float) (min + rnd.nextDouble() * ((double) max - min)), min, max);
        }

        private float[] uniformFloats(int size, float min, float max) {
            float[] a = new float[size];
            for (int i = 0; i < size; i++) {
                a[i] = uniformFloat(min, max);
            }
            return a;
        }

        private float[] twoDecimals(int size, float min, float max) {
            float[] a = new float[size];
            for (int i = 0; i < size; i++) {
                a[i] = clamp(Math.round(uniformFloat(min, max) * 100) / 100f, min, max);
            }
            return a;
        }

        private long[] uniformLongs(int size, long min, long max) {
            long[] a = new long[size];
            for (int i = 0; i < size; i++) {
                a[i] = max == Long.MAX_VALUE ? Math.max(min, rnd.nextLong(min, max)) : rnd.nextLong(min, max + 1);
            }
            return a;
        }

        private static float[] filled(int size, float v) {
            float[] a = new float[size];
            Arrays.fill(a, v);
            return a;
        }

        private static long[] filledLongs(int size, long v) {
            long[] a = new long[size];
            Arrays.fill(a, v);
            return a;
        }

        private static float clamp(float v, float min, float max) {
            return Math.max(min, Math.min(max, v));
        }

        private static long clampLong(long v, long min, long max) {
            return Math.max(min, Math.min(max, v));
        }

        private static String show(int length, String type, java.util.function.IntFunction<String> element) {
            StringBuilder s = new StringBuilder(type).append('[').append(length).append("]{");
            for (int i = 0; i < Math.min(length, SHOWN_ELEMENTS); i++) {
                s.append(i > 0 ? ", " : "").append(element.apply(i));
            }
            return s.append(length > SHOWN_ELEMENTS ? ", ...}" : "}").toString();
        }
    }
}
