package dev.tamp.compiler.sema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.Frontend;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.source.SourceFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A misspelled method or schedule leaves its option without a value; the dependency checks once read it anyway and
 * crashed the compiler.
 */
class MisspelledWordTest {

    @ParameterizedTest
    @ValueSource(strings = {"method magnitud", "schedule gradul"})
    void misspelledPruneWordIsReportedNotACrash(String option) {
        Diagnostics diagnostics = new Diagnostics();
        String text = "recipe r {\n  model \"m.onnx\"\n  prune * { " + option + "; sparsity 50 % }\n}\n";
        new Frontend(diagnostics).check(SourceFile.of("r.recipe", text), FileKind.RECIPE);
        assertThat(diagnostics.sorted()).extracting(Diagnostic::code).contains(DiagnosticCode.UNKNOWN_WORD);
    }

    @Test
    void correctlySpelledGradualScheduleStillNeedsFinetune() {
        Diagnostics diagnostics = new Diagnostics();
        String text = "recipe r {\n  model \"m.onnx\"\n  prune * { schedule gradual; sparsity 50 % }\n}\n";
        new Frontend(diagnostics).check(SourceFile.of("r.recipe", text), FileKind.RECIPE);
        assertThat(diagnostics.sorted()).extracting(Diagnostic::code).contains(DiagnosticCode.NEEDS_FINETUNE);
    }
}
