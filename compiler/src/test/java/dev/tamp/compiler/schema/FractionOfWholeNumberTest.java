package dev.tamp.compiler.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.Frontend;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.sema.FileKind;
import dev.tamp.compiler.source.SourceFile;
import org.junit.jupiter.api.Test;

/** A fraction such as {@code 7/2} is a whole number only when it divides evenly; it once slipped past that check. */
class FractionOfWholeNumberTest {

    private static Diagnostics check(String cores) {
        Diagnostics diagnostics = new Diagnostics();
        String text = "target t { cores " + cores + "; simd 0 bit; int8-dot no; peak { fp32 1 GFLOPS }; "
                + "memory { bandwidth 1 GB/s }; limits { ram 1 MB; storage 1 MB } }\n";
        new Frontend(diagnostics).check(SourceFile.of("t.target", text), FileKind.TARGET);
        return diagnostics;
    }

    @Test
    void unevenFractionIsNoWholeNumber() {
        assertThat(check("7/2").sorted()).extracting(Diagnostic::code).containsExactly(DiagnosticCode.WRONG_VALUE_TYPE);
        assertThat(check("7/2").sorted().get(0).message()).isEqualTo("option `cores` takes a whole number, found `7/2`");
    }

    @Test
    void evenFractionIsAccepted() {
        assertThat(check("8/2").sorted()).isEmpty();
    }
}
