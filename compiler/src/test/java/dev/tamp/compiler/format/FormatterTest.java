package dev.tamp.compiler.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tamp.compiler.parse.Parsing;
import dev.tamp.compiler.source.SourceFile;
import org.junit.jupiter.api.Test;

/** Cases the golden files cannot state as directly: refusals, blank input, the width limit at its edge. */
class FormatterTest {

    @Test
    void refusesFilesWithSyntaxErrors() {
        var parsed = Parsing.parse(SourceFile.of("broken.recipe", "recipe r { prune * { method } "), d -> { });
        assertThatThrownBy(() -> Formatter.format(parsed)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void blankInputFormatsToNothing() {
        assertThat(FormatTesting.format("blank.recipe", "")).isEmpty();
        assertThat(FormatTesting.format("blank.recipe", "\n\r\n \t\n;\n")).isEmpty();
    }

    @Test
    void carriageReturnsAloneEndLinesToo() {
        assertThat(FormatTesting.format("cr.recipe", "recipe r {\r  model \"m\"  // c\r\r  seed 1\r}"))
                .isEqualTo("recipe r {\n  model \"m\"  // c\n\n  seed  1\n}\n");
    }

    @Test
    void oneLineBlockStaysOnOneLineUpToTheWidthLimit() {
        String options = "{ method kmeans; bits 8; granularity per-channel }";
        String fits = "  quantize " + "c".repeat(100 - 11 - 1 - options.length()) + " " + options;
        assertThat(fits).hasSize(100);
        String recipe = "recipe r {\n" + fits + "\n}\n";
        assertThat(FormatTesting.format("fits.recipe", recipe)).isEqualTo(recipe);

        String tooLong = "recipe r {\n  quantize c" + fits.substring(11) + "\n}\n";
        assertThat(FormatTesting.format("long.recipe", tooLong)).isEqualTo("recipe r {\n  quantize c"
                + "c".repeat(100 - 11 - 1 - options.length()) + " {\n    method      kmeans\n    bits        8\n"
                + "    granularity per-channel\n  }\n}\n");
    }
}
