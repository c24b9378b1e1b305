package dev.tamp.compiler.diag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.Frontend;
import dev.tamp.compiler.source.SourceFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden diagnostics, MLIR style: each file under {@code golden/diagnostics} states the diagnostics it must produce
 * in comments, {@code // error E2001} for its own line or {@code // error@+1 E0005} for a line below, and the test
 * requires exactly those (line and code), nothing more. Together the files produce every diagnostic code.
 */
class GoldenDiagnosticsTest {
    static final Path DIR = Path.of("src/test/resources/golden/diagnostics");
    private static final Pattern EXPECTATION =
            Pattern.compile("//\\s*(error|warning)(@[+-]\\d+)?\\s+((?:[EW]\\d{4}\\s*)+)");

    @TestFactory
    Stream<DynamicTest> everyFileProducesExactlyItsExpectedDiagnostics() throws IOException {
        return goldenFiles().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
            List<String> expected = expectations(path);
            List<String> actual = new ArrayList<>();
            for (Diagnostic d : check(path).sorted()) {
                assertThat(d.file().name()).as("diagnostic in another file: %s", DiagnosticRenderer.render(d))
                        .isEqualTo(path.toString());
                actual.add(d.span().line() + ": " + d.severity().label() + " " + d.code().code());
            }
            assertThat(new TreeSet<>(actual)).as("diagnostics of %s:%n%s", path, render(path))
                    .containsExactlyElementsOf(new TreeSet<>(expected));
            assertThat(actual).as("each expected diagnostic once").hasSameSizeAs(expected);
        }));
    }

    @Test
    void goldenFilesTogetherProduceEveryCode() throws IOException {
        Set<DiagnosticCode> seen = EnumSet.noneOf(DiagnosticCode.class);
        for (Path path : goldenFiles().toList()) {
            for (Diagnostic d : check(path).sorted()) {
                seen.add(d.code());
            }
        }
        // E1015 is reported by `tamp compile` after the front end, E3005 by the planner; cli's CompileCommandTest,
        // CompileDocsTest and PlanCommandTest produce them. E5001 and E5002 are about lock files, which
        // optimizer's LockFileTest and cli's LockTest and CompileDocsTest produce.
        seen.add(DiagnosticCode.NOT_AVAILABLE);
        seen.add(DiagnosticCode.BUDGET_UNREACHABLE);
        seen.add(DiagnosticCode.LOCK_MALFORMED);
        seen.add(DiagnosticCode.LOCK_INPUT_CHANGED);
        assertThat(EnumSet.complementOf(EnumSet.copyOf(seen))).as("codes no golden file produces").isEmpty();
    }

    static Stream<Path> goldenFiles() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(p -> p.toString().endsWith(".recipe") || p.toString().endsWith(".target"))
                    .sorted().toList().stream();
        }
    }

    static Diagnostics check(Path path) {
        Diagnostics diagnostics = new Diagnostics();
        new Frontend(diagnostics).check(path, path.toString());
        return diagnostics;
    }

    private static String render(Path path) {
        StringBuilder s = new StringBuilder();
        check(path).sorted().forEach(d -> s.append(DiagnosticRenderer.render(d)));
        return s.toString();
    }

    private static List<String> expectations(Path path) throws IOException {
        SourceFile file = SourceFile.read(path, path.toString());
        List<String> expected = new ArrayList<>();
        for (int line = 1; line <= file.lineCount(); line++) {
            Matcher m = EXPECTATION.matcher(file.line(line));
            while (m.find()) {
                int target = line + (m.group(2) == null ? 0 : Integer.parseInt(m.group(2).substring(1)));
                for (String code : m.group(3).trim().split("\\s+")) {
                    expected.add(target + ": " + m.group(1) + " " + code);
                }
            }
        }
        return expected;
    }
}
