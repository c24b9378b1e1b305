package dev.tamp.codegen.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.lang.model.SourceVersion;
import org.junit.jupiter.api.Test;

class IdentifiersTest {
    @Test
    void nastyNames() {
        List<String> names = List.of("/conv1/Conv", "onnx::Conv_89", "Ünïcode✓名前", "class", "", "x".repeat(10_000),
                "x".repeat(10_001), "conv1.Conv", "conv1_Conv", "CONV1_CONV", "89", "_", "$x", "true", "var", "\u0000",
                "a\uD800b", "fc1.weight", "fc1/weight");
        List<String> ids = Identifiers.assign(names);
        assertThat(ids).startsWith("conv1_Conv", "onnx_Conv_89", "n_code", "class_", "w");
        assertThat(ids.get(5)).hasSize(Identifiers.MAX_LENGTH).startsWith("xxxx");
        assertThat(ids.get(6)).hasSize(Identifiers.MAX_LENGTH).isNotEqualTo(ids.get(5));
        assertThat(ids.subList(7, 10)).containsExactly("conv1_Conv_2", "conv1_Conv_3", "CONV1_CONV_4");
        assertThat(ids.get(10)).isEqualTo("w89");
        assertThat(ids.get(17)).isEqualTo("fc1_weight");
        assertThat(ids.get(18)).isEqualTo("fc1_weight_2");
        checkAll(ids);
        assertThat(Identifiers.assign(names)).as("deterministic").isEqualTo(ids);
    }

    @Test
    void manyCollisionsStayShortAndUnique() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            names.add("y".repeat(64) + "/".repeat(i % 7));
            names.add("k/" + i % 13);
        }
        checkAll(Identifiers.assign(names));
    }

    static void checkAll(List<String> ids) {
        Set<String> seen = new HashSet<>();
        for (String id : ids) {
            assertThat(SourceVersion.isName(id, SourceVersion.latestSupported())).as(id).isTrue();
            assertThat(SourceVersion.isKeyword(id, SourceVersion.latestSupported())).as(id).isFalse();
            assertThat(id).hasSizeLessThanOrEqualTo(Identifiers.MAX_LENGTH).matches("[A-Za-z][A-Za-z0-9_]*");
            assertThat(Identifiers.valid(id)).as(id).isTrue();
            assertThat(seen.add(id.toLowerCase(Locale.ROOT))).as("unique " + id).isTrue();
        }
    }
}
