package dev.tamp.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.ir.TargetSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The shipped specs: the index lists exactly the files, each declares the target its file is named after. */
class BundledTargetsTest {
    @Test
    void indexListsExactlyTheSpecFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("../specs"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".target"))
                    .map(n -> n.substring(0, n.length() - ".target".length())).sorted().toList();
            assertThat(BundledTargets.names()).containsExactlyElementsOf(names);
        }
    }

    @Test
    void everyShippedSpecChecksCleanAndDeclaresItsOwnName() throws IOException {
        for (String name : BundledTargets.names()) {
            Diagnostics diagnostics = new Diagnostics();
            var checked = new Frontend(diagnostics).check(Path.of("../specs/" + name + ".target"), name);
            assertThat(diagnostics.hasErrors()).as(name).isFalse();
            List<TargetSpec> targets = checked.orElseThrow().declared().targets();
            assertThat(targets).extracting(TargetSpec::name).containsExactly(name);
            TargetSpec t = targets.get(0);
            assertThat(t.cores()).isPositive();
            assertThat(t.peakFp32()).isGreaterThan(1e9);
            assertThat(t.bandwidth()).isGreaterThan(1e8);
            assertThat(t.ramLimit()).isGreaterThan(t.cache("l2").orElse(0.0));
        }
    }
}
