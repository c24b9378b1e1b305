package dev.tamp.optimizer.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.optimizer.PropertyCases;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The Vector API training GEMM and its scalar twin (the executor's plain Java GEMM) give bit-identical results on
 * awkward sizes and layouts (row-major, transposed and gathered A; B rows in order or gathered; padded C): both add each element's products in increasing {@code p}, one rounded product
 * and one rounded sum at a time, so no tolerance is allowed. This JVM runs with {@code --add-modules
 * jdk.incubator.vector} (optimizer/pom.xml), so the Vector API kernel must load.
 */
class VectorGemmKernelProperties {
    /** How A is laid out: row-major, transposed (read in place), or gathered through arbitrary offset tables. */
    enum Layout { ROWS, TRANSPOSED, GATHERED }

    /** A product with A and B read through offset tables, as the layers call it. */
    record Product(int m, int n, int k, Layout a, boolean gatheredB, int cPad, long seed) {
        /** The operands, drawn from the seed: the same for every kernel. */
        Operands operands() {
            SplittableRandom rnd = new SplittableRandom(seed);
            int aOff = rnd.nextInt(5);
            int[] aRows = new int[m];
            int[] aCols = new int[k];
            for (int i = 0; i < m; i++) {
                aRows[i] = switch (a) {
                    case ROWS -> i * k;
                    case TRANSPOSED -> i;
                    // Gathered offsets overlap and come in any order, as a convolution's receptive fields do.
                    case GATHERED -> rnd.nextInt(m + k);
                };
            }
            for (int p = 0; p < k; p++) {
                aCols[p] = switch (a) {
                    case ROWS -> p;
                    case TRANSPOSED -> p * m;
                    case GATHERED -> rnd.nextInt(m + k);
                };
            }
            float[] values = values(rnd, aOff + Math.max(m * k, 2 * (m + k)));
            int bOff = rnd.nextInt(3);
            int[] bRows = new int[k];
            int bLength = 0;
            for (int p = 0; p < k; p++) {
                bRows[p] = gatheredB ? rnd.nextInt(2 * n + 1) : p * n;
                bLength = Math.max(bLength, bRows[p] + bOff + n);
            }
            float[] b = values(rnd, bLength);
            int ldc = n + cPad;
            int cOff = rnd.nextInt(4);
            float[] c = values(rnd, cOff + m * ldc);
            return new Operands(values, aOff, aRows, aCols, b, bOff, bRows, c, cOff, ldc);
        }

        float[] run(GemmKernel kernel) {
            Operands o = operands();
            kernel.multiplyAdd(m, n, k, o.a, o.aOff, o.aRows, o.aCols, o.b, o.bOff, o.bRows, o.c, o.cOff, o.ldc);
            return o.c;
        }

        /** The definition: each element's products added left to right in float. */
        float[] reference() {
            Operands o = operands();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float s = o.c[o.cOff + i * o.ldc + j];
                    for (int p = 0; p < k; p++) {
                        s += o.a[o.aOff + o.aRows[i] + o.aCols[p]] * o.b[o.bOff + o.bRows[p] + j];
                    }
                    o.c[o.cOff + i * o.ldc + j] = s;
                }
            }
            return o.c;
        }

        private static float[] values(SplittableRandom rnd, int length) {
            float[] v = new float[length];
            for (int i = 0; i < length; i++) {
                // Mixed magnitudes and signs, so that rounding differs between summation orders.
                v[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(-3, 3)));
            }
            return v;
        }
    }

    record Operands(float[] a, int aOff, int[] aRows, int[] aCols, float[] b, int bOff, int[] bRows, float[] c,
            int cOff, int ldc) {}

    private static GemmKernel vector() {
        return GemmKernel.vector().orElseThrow(() -> new AssertionError("the Vector API kernel did not load"));
    }

    @Test
    void theVectorKernelIsTheOneTheEngineUses() {
        assertThat(GemmKernel.selected()).isSameAs(vector());
    }

    @Test
    void awkwardSizesGiveBitIdenticalResults() {
        int[] sizes = {1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 47, 64, 65, 207};
        int[] depths = {1, 2, 255, 256, 257, 702};
        int cases = 0;
        for (int m : new int[] {1, 5, 8, 13, 20, 50}) {
            for (int n : sizes) {
                for (int k : depths) {
                    Layout layout = Layout.values()[(m + n + k) % 3];
                    boolean gatheredB = (n + k) % 2 == 0;
                    assertBitIdentical(new Product(m, n, k, layout, gatheredB, n % 4, m * 1000L + n * 7 + k));
                    cases++;
                }
            }
        }
        assertThat(cases).isEqualTo(6 * 15 * 6);
    }

    @Test
    void theTrainingShapesOfTheReferenceModelsGiveBitIdenticalResults() {
        // LeNet-300-100 at batch 128 (fc1 forward, weight gradient, input gradient of fc2); LeNet-5's conv2 forward,
        // weight gradient (receptive fields gathered) and input gradient, and conv1's weight gradient.
        assertBitIdentical(new Product(128, 300, 784, Layout.ROWS, false, 0, 1));
        assertBitIdentical(new Product(300, 784, 128, Layout.TRANSPOSED, false, 0, 2));
        assertBitIdentical(new Product(128, 300, 100, Layout.ROWS, false, 0, 3));
        assertBitIdentical(new Product(50, 64, 500, Layout.ROWS, false, 0, 4));
        assertBitIdentical(new Product(500, 50, 1024, Layout.GATHERED, false, 0, 5));
        assertBitIdentical(new Product(500, 64, 50, Layout.TRANSPOSED, true, 0, 6));
        assertBitIdentical(new Product(25, 20, 576, Layout.GATHERED, false, 0, 7));
    }

    @TestFactory
    Stream<DynamicTest> anyProductGivesBitIdenticalResults() {
        return PropertyCases.forAll(20261208, 300,
                g -> new Product(g.ints("m", 1, 40), g.ints("n", 1, 80), g.ints("k", 1, 300),
                        Layout.values()[g.ints("layout", 0, 2)], g.booleans("gatheredB"), g.ints("cPad", 0, 5),
                        g.longs("seed")),
                VectorGemmKernelProperties::assertBitIdentical);
    }

    private static void assertBitIdentical(Product pr) {
        float[] reference = pr.reference();
        assertThat(bits(pr.run(vector()))).as("Vector API kernel, %s", pr).isEqualTo(bits(reference));
        assertThat(bits(pr.run(GemmKernel.plain()))).as("plain Java kernel, %s", pr).isEqualTo(bits(reference));
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }
}
