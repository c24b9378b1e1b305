package dev.tamp.compiler.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.source.SourceFile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Closed block comments are hidden wherever they are; only one that never reaches its end is an error. */
class BlockCommentTest {

    private static List<DiagnosticCode> codes(String text) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        Parsing.parse(SourceFile.of("t.recipe", text), diagnostics::add);
        return diagnostics.stream().map(Diagnostic::code).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/* closed */ recipe r { seed 1 }",
        "recipe r { seed /* a\n b */ 1 }\n/* last */",
        "/* stars **/ recipe r {} /***/",
        "/* a * / b */ recipe r {}",
    })
    void closedCommentsAreNotErrors(String text) {
        assertThat(codes(text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"recipe r {}\n/* never closed", "recipe r {}\n/* never closed *", "recipe r {} /*/"})
    void anUnterminatedCommentIsReportedOnce(String text) {
        assertThat(codes(text)).containsExactly(DiagnosticCode.UNTERMINATED_COMMENT);
    }
}
