package dev.tamp.compiler.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Formats each input under {@code golden/format/} and compares with the file next to it named like the input plus
 * {@code .expected}. Run with {@code -Dgolden.accept=true} to write the current output as the expected one, then
 * review the diff.
 */
class FormatterGoldenTest {
    private static final boolean ACCEPT = Boolean.getBoolean("golden.accept");

    static List<Path> inputs() {
        List<Path> inputs = FormatTesting.sourcesIn(FormatTesting.GOLDEN);
        assertThat(inputs).as("golden inputs in %s", FormatTesting.GOLDEN.toAbsolutePath()).isNotEmpty();
        return inputs;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void formatsAsExpected(Path input) throws IOException {
        String actual = FormatTesting.format(input.toString(), FormatTesting.read(input));
        Path expected = input.resolveSibling(input.getFileName() + ".expected");
        if (ACCEPT) {
            Files.writeString(expected, actual, StandardCharsets.UTF_8);
            return;
        }
        assertThat(expected).as("%s is missing; run with -Dgolden.accept=true to create it", expected).exists();
        assertThat(actual).as("formatted %s (run with -Dgolden.accept=true to accept)", input)
                .isEqualTo(FormatTesting.read(expected));
    }

    @Test
    void everyExpectedFileHasItsInput() throws IOException {
        try (Stream<Path> files = Files.list(FormatTesting.GOLDEN)) {
            assertThat(files.filter(f -> f.toString().endsWith(".expected")))
                    .allSatisfy(f -> assertThat(Path.of(f.toString().replaceFirst("\\.expected$", ""))).exists());
        }
    }
}
