package dev.tamp.compiler.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.source.SourceFile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A unit in the wrong case after a number gets a "did you mean" for the unit, though no unit is expected there. */
class UnitCaseHintTest {

    @Test
    void lowercaseUnitAfterANumber() {
        List<Diagnostic> diagnostics = new ArrayList<>();
        Parsing.parse(SourceFile.of("r.recipe", "recipe r {\n  budget { size <= 48 kb }\n}\n"), diagnostics::add);
        assertThat(diagnostics).hasSize(1);
        assertThat(diagnostics.get(0).hint()).hasValue("did you mean `KB`? (units are case-sensitive)");
    }

    @Test
    void noUnitHintForAWordThatFollowsNoNumber() {
        List<Diagnostic> diagnostics = new ArrayList<>();
        Parsing.parse(SourceFile.of("r.recipe", "recipe r {\n  prune fc1 ms\n}\n"), diagnostics::add);
        assertThat(diagnostics).hasSize(1);
        assertThat(diagnostics.get(0).hint()).isNotEqualTo(java.util.Optional.of("did you mean `ms`? (units are case-sensitive)"));
    }
}
