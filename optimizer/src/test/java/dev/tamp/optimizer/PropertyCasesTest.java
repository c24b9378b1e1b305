package dev.tamp.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;

class PropertyCasesTest {
    record Params(int i, long l, boolean b, double d, float[] f, long[] a) {}

    private static final Function<PropertyCases.Gen, Params> GENERATOR = g -> new Params(g.ints("i", -5, 40),
            g.longs("l"), g.booleans("b"), g.doubles("d", 0.01, 1), g.floats("f", 1, 30, -3, 3),
            g.longs("a", 2, 25, 0, 1L << 40));

    @Test
    void casesAreDeterministicInRangeAndEdgeCasesComeFirst() {
        List<PropertyCases.Case<Params>> cases = PropertyCases.cases(7, 200, GENERATOR);
        List<PropertyCases.Case<Params>> again = PropertyCases.cases(7, 200, GENERATOR);
        assertThat(cases).hasSize(200);
        for (int k = 0; k < cases.size(); k++) {
            PropertyCases.Case<Params> c = cases.get(k);
            assertThat(c.index()).isEqualTo(k + 1);
            assertThat(c.description()).isEqualTo(again.get(k).description()).startsWith("#" + (k + 1));
            assertThat(c.value().f()).isEqualTo(again.get(k).value().f());
            assertThat(c.value().a()).isEqualTo(again.get(k).value().a());
            assertThat(c.value().i()).isBetween(-5, 40);
            assertThat(c.value().d()).isBetween(0.01, 1.0);
            assertThat(c.value().f().length).isBetween(1, 30);
            for (float v : c.value().f()) {
                assertThat(v).isBetween(-3f, 3f);
            }
            assertThat(c.value().a().length).isBetween(2, 25);
            for (long v : c.value().a()) {
                assertThat(v).isBetween(0L, 1L << 40);
            }
        }
        int edges = (int) cases.stream().filter(PropertyCases.Case::edge).count();
        assertThat(edges).isEqualTo(50);
        assertThat(cases.subList(0, edges)).allMatch(PropertyCases.Case::edge);
        Params first = cases.get(0).value();
        assertThat(first.i()).isEqualTo(-5);
        assertThat(first.l()).isEqualTo(Long.MIN_VALUE);
        assertThat(first.f()).hasSize(1);
        Params second = cases.get(1).value();
        assertThat(second.i()).isEqualTo(40);
        assertThat(second.b()).isTrue();
        assertThat(second.d()).isEqualTo(1.0);
        assertThat(second.f()).hasSize(30);
        assertThat(second.a()).hasSize(25);
        // Every edge of every parameter is among the edge cases.
        for (int v : new int[] {-5, 40, -4, 39, 0, 1, -1}) {
            assertThat(cases.subList(0, edges)).anyMatch(c -> c.value().i() == v);
        }
        for (long v : new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0, 1, -1}) {
            assertThat(cases.subList(0, edges)).anyMatch(c -> c.value().l() == v);
        }
        assertThat(cases.subList(0, edges)).anyMatch(c -> c.value().f().length == 30
                && Arrays.stream(new int[30]).allMatch(j -> c.value().f()[j] == 0f));
        // Random cases repeat edge values too, and differ from seed to seed.
        assertThat(cases.subList(edges, 200)).anyMatch(c -> c.value().i() == 40);
        assertThat(PropertyCases.cases(8, 200, GENERATOR).get(100).description())
                .isNotEqualTo(cases.get(100).description());
    }

    @Test
    void aFailureNamesTheCaseAndHowToRerunIt() {
        // Independent of a -Dtamp.property.case / .seed given to rerun some other property.
        String onlyCase = System.clearProperty(PropertyCases.CASE);
        String seed = System.clearProperty(PropertyCases.SEED);
        List<DynamicTest> tests;
        try {
            tests = PropertyCases.forAll(3, 10, g -> g.ints("n", 0, 9), n -> assertThat(n).isNotEqualTo(9)).toList();
        } finally {
            if (onlyCase != null) {
                System.setProperty(PropertyCases.CASE, onlyCase);
            }
            if (seed != null) {
                System.setProperty(PropertyCases.SEED, seed);
            }
        }
        assertThat(tests).hasSize(10);
        DynamicTest failing = tests.get(1); // the all-largest edge case
        assertThat(failing.getDisplayName()).isEqualTo("#2 edge: n=9");
        String property = "PropertyCasesTest#aFailureNamesTheCaseAndHowToRerunIt";
        assertThatThrownBy(() -> failing.getExecutable().execute()).isInstanceOf(AssertionError.class)
                .hasMessageContaining(property + " falsified by case #2 edge: n=9")
                .hasMessageContaining("-Dtest=" + property + " -Dtamp.property.case=2")
                .hasMessageContaining("not to be equal");
    }
}
