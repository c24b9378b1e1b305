package dev.tamp.compiler.sema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.Frontend;
import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.diag.DiagnosticRenderer;
import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.ir.LayerRef;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.compiler.source.SourceFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The override order for one layer, on LeNet-5's real layer names (node name, module path, weight, op type). */
class OverridesTest {
    private static final LayerRef CONV1 = new LayerRef("/conv1/Conv", List.of("conv1", "conv1.weight"), "Conv", 1);
    private static final LayerRef CONV2 = new LayerRef("/conv2/Conv", List.of("conv2", "conv2.weight"), "Conv", 3);
    private static final LayerRef FC1 = new LayerRef("/fc1/Gemm", List.of("fc1", "fc1.weight"), "Gemm", 6);
    private static final LayerRef FC2 = new LayerRef("/fc2/Gemm", List.of("fc2", "fc2.weight"), "Gemm", 8);

    static Recipe recipe(String body) {
        String text = "recipe r {\n  model \"../models/fmnist_lenet5.onnx\"\n  data d \"../data/fashion-mnist\"\n"
                + body + "\n}\n";
        Diagnostics diagnostics = new Diagnostics();
        var checked = new Frontend(diagnostics).check(SourceFile.at(Path.of("r.recipe").toAbsolutePath(), "r.recipe", text),
                FileKind.RECIPE);
        StringBuilder rendered = new StringBuilder();
        diagnostics.sorted().forEach(d -> rendered.append(DiagnosticRenderer.render(d)));
        assertThat(diagnostics.hasErrors()).as(rendered.toString()).isFalse();
        return checked.declared().recipes().get(0);
    }

    @Test
    void laterStatementsOverrideEarlierOnesOptionByOption() {
        Recipe r = recipe("""
                  quantize * { method kmeans; bits 4; iterations 10 }
                  quantize fc2 { bits 8 }
                """);
        var fc2 = Overrides.resolve(r, FC2).get(PassKind.QUANTIZE);
        assertThat(fc2.settings().word("method")).isEqualTo("kmeans");
        assertThat(fc2.settings().number("bits")).isEqualTo(8);
        assertThat(fc2.settings().number("iterations")).isEqualTo(10);
        assertThat(fc2.from()).hasSize(2);
        var conv1 = Overrides.resolve(r, CONV1).get(PassKind.QUANTIZE);
        assertThat(conv1.settings().number("bits")).isEqualTo(4);
        assertThat(conv1.from()).hasSize(1);
    }

    @Test
    void anotherMethodDropsOptionsThatDoNotApplyAndTakesItsDefaults() {
        Recipe r = recipe("""
                  quantize * { method kmeans; bits 4; init density }
                  quantize type Gemm { method uniform; symmetric no }
                """);
        var fc1 = Overrides.resolve(r, FC1).get(PassKind.QUANTIZE).settings();
        assertThat(fc1.word("method")).isEqualTo("uniform");
        assertThat(fc1.number("bits")).isEqualTo(4);
        assertThat(fc1.flag("symmetric")).isFalse();
        assertThat(fc1.get("init")).isEmpty();
        assertThat(fc1.word("granularity")).isEqualTo("per-channel");
    }

    @Test
    void aLaterOptionReplacesTheEarlierOneItConflictsWith() {
        Recipe r = recipe("""
                  factorize fc1, fc2 { rank 8 }
                  factorize fc1 { energy 90 % }
                """);
        var fc1 = Overrides.resolve(r, FC1).get(PassKind.FACTORIZE).settings();
        assertThat(fc1.get("rank")).isEmpty();
        assertThat(fc1.number("energy")).isEqualTo(0.9);
        assertThat(Overrides.resolve(r, FC2).get(PassKind.FACTORIZE).settings().number("rank")).isEqualTo(8);
    }

    @Test
    void selectorsMatchNamesAliasesGlobsRegexTypesPositionsAndExclusions() {
        Recipe r = recipe("""
                  prune conv* except conv2 { sparsity 50 % }
                  prune re"fc[0-9]" { sparsity 60 % }
                  prune "/conv2/Conv" { sparsity 70 % }
                  quantize #8 { bits 6 }
                  hash type Gemm except fc2 { buckets 25 % }
                """);
        assertThat(Overrides.resolve(r, CONV1).get(PassKind.PRUNE).settings().number("sparsity")).isEqualTo(0.5);
        assertThat(Overrides.resolve(r, CONV2).get(PassKind.PRUNE).settings().number("sparsity")).isEqualTo(0.7);
        assertThat(Overrides.resolve(r, FC1).get(PassKind.PRUNE).settings().number("sparsity")).isEqualTo(0.6);
        Map<PassKind, Overrides.ResolvedPass> fc2 = Overrides.resolve(r, FC2);
        assertThat(fc2.keySet()).containsExactly(PassKind.PRUNE, PassKind.QUANTIZE);
        assertThat(fc2.get(PassKind.QUANTIZE).settings().number("bits")).isEqualTo(6);
        assertThat(Overrides.resolve(r, FC1).keySet()).containsExactly(PassKind.PRUNE, PassKind.HASH);
    }

    @Test
    void familiesDoNotOverrideEachOtherAndUnselectedFamiliesAreAbsent() {
        Recipe r = recipe("""
                  prune fc1 { sparsity 90 % }
                  quantize fc1 { method kmeans; bits 5 }
                  encode { method huffman }
                """);
        assertThat(Overrides.resolve(r, FC1).keySet()).containsExactly(PassKind.PRUNE, PassKind.QUANTIZE, PassKind.ENCODE);
        assertThat(Overrides.resolve(r, CONV1).keySet()).containsExactly(PassKind.ENCODE);
    }
}
