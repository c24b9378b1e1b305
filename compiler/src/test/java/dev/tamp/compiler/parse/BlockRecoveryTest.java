package dev.tamp.compiler.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.Frontend;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.sema.FileKind;
import dev.tamp.compiler.source.SourceFile;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A syntax error inside a block is one message, and the statements after it are still checked. The block's `}` once
 * went to the enclosing rule, which closed the recipe early and reported the next statement as a second error.
 */
class BlockRecoveryTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "budget { size <= 48 KB latency <= 2 ms }",
        "prune fc1 { sparsity 90 % schedule oneshot }",
        "emit java { package \"p\" class \"C\" }",
    })
    void oneMessageAndTheNextStatementIsChecked(String broken) {
        Diagnostics diagnostics = new Diagnostics();
        String text = "recipe r {\n  model \"m.onnx\"\n  " + broken + "\n  seed 1\n  quantize * { bogus 1 }\n}\n";
        new Frontend(diagnostics).check(SourceFile.of("r.recipe", text), FileKind.RECIPE);
        // The model file does not exist here; that is beside the point.
        List<Diagnostic> found = diagnostics.sorted().stream()
                .filter(d -> d.code() != DiagnosticCode.FILE_NOT_FOUND).toList();
        assertThat(found).extracting(Diagnostic::code)
                .containsExactly(DiagnosticCode.SYNTAX_ERROR, DiagnosticCode.UNKNOWN_OPTION);
        assertThat(found.get(0).span().line()).isEqualTo(3);
    }
}
