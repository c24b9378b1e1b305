package dev.tamp.compiler.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What must hold for every file the formatter meets: the repository's examples and specs and the golden inputs. */
class FormatterPropertiesTest {

    static List<Path> files() {
        List<Path> examples = FormatTesting.sourcesIn(Path.of("../examples"));
        List<Path> specs = FormatTesting.sourcesIn(Path.of("../specs"));
        assertThat(examples).as("recipes in ../examples").isNotEmpty();
        assertThat(specs).as("targets in ../specs").isNotEmpty();
        List<Path> files = new ArrayList<>(examples);
        files.addAll(specs);
        files.addAll(FormatterGoldenTest.inputs());
        return files;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void formattingIsIdempotent(Path file) {
        String once = format(file);
        assertThat(FormatTesting.format(file + " (formatted)", once)).isEqualTo(once);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void formattingKeepsTheTree(Path file) {
        String source = FormatTesting.read(file);
        assertThat(FormatTesting.ast(file + " (formatted)", format(file)))
                .isEqualTo(FormatTesting.ast(file.toString(), source));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void formattingKeepsEveryCommentInOrder(Path file) {
        assertThat(FormatTesting.comments(file + " (formatted)", format(file)))
                .containsExactlyElementsOf(FormatTesting.comments(file.toString(), FormatTesting.read(file)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void outputIsCanonicalText(Path file) {
        String formatted = format(file);
        assertThat(formatted).doesNotContain("\r");
        if (!formatted.isEmpty()) {
            assertThat(formatted).endsWith("\n").doesNotEndWith("\n\n").doesNotStartWith("\n");
        }
        assertThat(formatted.lines()).noneMatch(line -> !line.equals(line.stripTrailing()))
                .as("at most one blank line in a row").doesNotContainSequence("", "");
    }

    /** The formatted text, which must itself parse cleanly. */
    private static String format(Path file) {
        String formatted = FormatTesting.format(file.toString(), FormatTesting.read(file));
        FormatTesting.parseClean(file + " (formatted)", formatted);
        return formatted;
    }
}
