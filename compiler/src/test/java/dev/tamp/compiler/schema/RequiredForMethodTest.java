package dev.tamp.compiler.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.Frontend;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.sema.FileKind;
import dev.tamp.compiler.source.SourceFile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An option required for one method (`structure block` for `block-circulant`) is required for that method only. */
class RequiredForMethodTest {

    private static List<DiagnosticCode> check(String statement) {
        Diagnostics diagnostics = new Diagnostics();
        String text = "recipe r {\n  model \"m.onnx\"\n  " + statement + "\n}\n";
        new Frontend(diagnostics).check(SourceFile.of("r.recipe", text), FileKind.RECIPE);
        return diagnostics.sorted().stream().map(Diagnostic::code)
                .filter(c -> c != DiagnosticCode.FILE_NOT_FOUND).toList();
    }

    @Test
    void blockCirculantNeedsABlock() {
        assertThat(check("structure fc1 { method block-circulant }")).containsExactly(DiagnosticCode.MISSING_OPTION);
        assertThat(check("structure fc1 { method block-circulant; block 64 }")).isEmpty();
    }

    @Test
    void circulantNeedsNone() {
        assertThat(check("structure fc1")).isEmpty();
    }
}
