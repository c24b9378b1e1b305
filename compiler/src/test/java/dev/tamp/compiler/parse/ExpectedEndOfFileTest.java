package dev.tamp.compiler.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.source.SourceFile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A syntax error whose expected set includes end of file (token type -1) once crashed the "did you mean" hint, which
 * indexed a bit set by token type.
 */
class ExpectedEndOfFileTest {

    @Test
    void twoOptionsOnOneLineGiveASyntaxErrorNotACrash() {
        List<Diagnostic> diagnostics = new ArrayList<>();
        SourceFile file = SourceFile.of("x.recipe", "recipe x {\n  prune fc1 { sparsity 90 % schedule oneshot }\n}\n");
        Parsing.parse(file, diagnostics::add);
        assertThat(diagnostics).extracting(Diagnostic::code).containsExactly(DiagnosticCode.SYNTAX_ERROR);
        assertThat(diagnostics.get(0).span().line()).isEqualTo(2);
        assertThat(TokenNames.expectedKeywords(org.antlr.v4.runtime.misc.IntervalSet.of(-1))).isEmpty();
    }
}
