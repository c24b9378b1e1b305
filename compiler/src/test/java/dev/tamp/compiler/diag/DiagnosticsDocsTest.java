package dev.tamp.compiler.diag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.DocExamples;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps docs/diagnostics.md true: one section per code, titled with its code and title in code order, and in each the
 * example file checked by the real front end gives exactly the output shown, which contains the section's code.
 * Examples shown as {@code $ tamp compile} come from checks after the front end and are verified in cli.
 * Run with {@code -Dgolden.accept=true} to rewrite the shown outputs.
 */
class DiagnosticsDocsTest {
    private static final Path DOC = Path.of("..", "docs", "diagnostics.md");
    private static final Pattern HEADING = Pattern.compile("(?m)^## ([EW]\\d{4}): (.*)$");
    private static final Pattern EXAMPLE = Pattern.compile(
            "```tamp (\\S+)\n((?:[^`]|`(?!``))*?)```\n+```console\n(\\$ tamp (?:check|compile) [^\n]+\n)(.*?)```",
            Pattern.DOTALL);

    @TempDir
    Path root;

    @Test
    void everyCodeHasASectionWithItsTitle() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        List<String> headings = new ArrayList<>();
        Matcher m = HEADING.matcher(doc);
        while (m.find()) {
            headings.add(m.group(1) + ": " + m.group(2).strip());
        }
        List<String> expected = new ArrayList<>();
        for (DiagnosticCode code : DiagnosticCode.values()) {
            expected.add(code.code() + ": " + code.title());
        }
        assertThat(headings).as("`## CODE: title` sections of %s", DOC).containsExactlyElementsOf(expected);
    }

    @Test
    void everyExampleGivesTheOutputShown() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        DocExamples examples = new DocExamples(root);

        StringBuilder rewritten = new StringBuilder();
        int last = 0;
        List<String> sections = sections(doc);
        for (int i = 0; i < sections.size(); i++) {
            String code = sections.get(i).substring(3, 8);
            int start = doc.indexOf(sections.get(i));
            int end = i + 1 < sections.size() ? doc.indexOf(sections.get(i + 1)) : doc.length();
            Matcher m = EXAMPLE.matcher(doc).region(start, end);
            assertThat(m.find()).as("%s has a ```tamp FILE example followed by its ```console output", code).isTrue();
            if (m.group(3).startsWith("$ tamp compile")) {
                continue; // produced after the front end, by the optimizer: cli's CompileDocsTest checks these
            }
            String output = examples.check(m.group(1), m.group(2));
            assertThat(output).as("output of the %s example", code).contains("[" + code + "]");
            rewritten.append(doc, last, m.start(4)).append(output);
            last = m.end(4);
            if (!Boolean.getBoolean("golden.accept")) {
                assertThat(m.group(4)).as("shown output of the %s example (rerun with -Dgolden.accept=true)", code)
                        .isEqualTo(output);
            }
        }
        rewritten.append(doc, last, doc.length());
        if (Boolean.getBoolean("golden.accept") && !rewritten.toString().equals(doc)) {
            Files.writeString(DOC, rewritten.toString(), StandardCharsets.UTF_8);
        }
    }

    private static List<String> sections(String doc) {
        List<String> result = new ArrayList<>();
        Matcher m = HEADING.matcher(doc);
        while (m.find()) {
            result.add(m.group());
        }
        return result;
    }
}
