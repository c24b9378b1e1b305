package dev.tamp.compiler.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.DocExamples;
import dev.tamp.grammar.RecipeLexer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps docs/language.md true to the code: its generated tables equal {@link SchemaDocs}' output, and it mentions
 * every keyword, unit and operator the lexer knows, and its complete examples ({@code ```tamp FILE}) check clean. Run with {@code -Dgolden.accept=true} to rewrite the tables.
 */
class LanguageDocsTest {
    static final Path DOC = Path.of("..", "docs", "language.md");
    private static final Pattern BEGIN = Pattern.compile("<!-- BEGIN GENERATED: ([a-z0-9-]+) -->\n");

    @Test
    void generatedSectionsMatchTheSchemas() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        Map<String, String> expected = SchemaDocs.sections();
        String rewritten = rewrite(doc, expected);
        if (Boolean.getBoolean("golden.accept") && !rewritten.equals(doc)) {
            Files.writeString(DOC, rewritten, StandardCharsets.UTF_8);
            doc = rewritten;
        }
        assertThat(markerNames(doc)).as("generated sections in %s", DOC)
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertThat(section(doc, e.getKey()))
                    .as("generated section `%s` of %s (rerun with -Dgolden.accept=true to update)", e.getKey(), DOC)
                    .isEqualTo(e.getValue());
        }
    }

    @Test
    void everyKeywordUnitAndOperatorIsDocumented() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        List<String> missing = new ArrayList<>();
        for (int t = 1; t <= RecipeLexer.VOCABULARY.getMaxTokenType(); t++) {
            String literal = RecipeLexer.VOCABULARY.getLiteralName(t);
            if (literal == null) {
                continue;
            }
            String text = literal.substring(1, literal.length() - 1);
            if (!doc.contains("`" + text + "`")) {
                missing.add(text);
            }
        }
        assertThat(missing).as("tokens of RecipeLexer not mentioned as `token` in %s", DOC).isEmpty();
    }

    @Test
    void completeExamplesCheckClean(@TempDir Path root) throws IOException {
        Map<String, String> examples = DocExamples.examples(Files.readString(DOC, StandardCharsets.UTF_8));
        assertThat(examples).as("```tamp FILE examples in %s", DOC).isNotEmpty();
        DocExamples checker = new DocExamples(root);
        for (Map.Entry<String, String> e : examples.entrySet()) {
            assertThat(checker.check(e.getKey(), e.getValue())).as("tamp check %s", e.getKey()).isEmpty();
        }
    }

    private static Set<String> markerNames(String doc) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = BEGIN.matcher(doc);
        while (m.find()) {
            assertThat(names.add(m.group(1))).as("section `%s` appears once", m.group(1)).isTrue();
        }
        return names;
    }

    private static String section(String doc, String name) {
        String begin = "<!-- BEGIN GENERATED: " + name + " -->\n";
        String end = "<!-- END GENERATED: " + name + " -->";
        int from = doc.indexOf(begin);
        int to = doc.indexOf(end, Math.max(from, 0));
        assertThat(from).as("marker %s", begin.strip()).isNotNegative();
        assertThat(to).as("marker %s", end).isNotNegative();
        return doc.substring(from + begin.length(), to);
    }

    /** The doc with every generated section that has both markers replaced by its expected text. */
    static String rewrite(String doc, Map<String, String> expected) {
        String result = doc;
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String begin = "<!-- BEGIN GENERATED: " + e.getKey() + " -->\n";
            String end = "<!-- END GENERATED: " + e.getKey() + " -->";
            int from = result.indexOf(begin);
            int to = from < 0 ? -1 : result.indexOf(end, from);
            if (from >= 0 && to >= 0) {
                result = result.substring(0, from + begin.length()) + e.getValue() + result.substring(to);
            }
        }
        return result;
    }
}
