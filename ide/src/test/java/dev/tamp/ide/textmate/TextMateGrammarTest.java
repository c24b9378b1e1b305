package dev.tamp.ide.textmate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.tamp.ide.Vocabulary;
import org.junit.jupiter.api.Test;

/**
 * The checked-in grammar is the generator's output, and every lexer keyword and unit has a rule. The real TextMate
 * engine is exercised by {@code vscode/test/textmate.test.mjs}; here Java's regex engine stands in for Oniguruma,
 * which agrees with it on the constructs the generator uses.
 */
class TextMateGrammarTest {
    static final Path CHECKED_IN = Path.of("vscode/syntaxes/tamp.tmLanguage.json");

    @Test
    void checkedInGrammarIsTheGeneratorsOutput() throws IOException {
        String generated = TextMateGrammar.json();
        if (Boolean.getBoolean("golden.accept")) {
            GenerateTextMateGrammar.write(CHECKED_IN);
        }
        assertThat(Files.exists(CHECKED_IN))
                .as("%s is missing; run with -Dgolden.accept=true to write it", CHECKED_IN).isTrue();
        assertThat(Files.readString(CHECKED_IN, StandardCharsets.UTF_8))
                .as("%s differs from the generator's output; rerun with -Dgolden.accept=true and commit it", CHECKED_IN)
                .isEqualTo(generated);
    }

    @Test
    void everyRegexCompiles() {
        List<String> regexes = TextMateGrammar.regexes(TextMateGrammar.model());
        assertThat(regexes).hasSizeGreaterThan(20);
        regexes.forEach(TextMateGrammar::compile);
    }

    @Test
    void everyLexerKeywordHasAHighlightingRule() {
        assertThat(Vocabulary.lexerKeywords()).hasSize(22).contains("recipe", "distill", "except", "baseline");
        for (String keyword : Vocabulary.lexerKeywords()) {
            String line;
            String scope;
            if (Vocabulary.statementKeywords().contains(keyword)) {
                line = "  " + keyword + " \"x\"";
                scope = "keyword.control.tamp";
            } else if (Vocabulary.constantWords().contains(keyword)) {
                line = "  bits " + keyword;
                scope = "constant.language.tamp";
            } else {
                line = "  prune a " + keyword + " b";
                scope = "keyword.other.tamp";
            }
            assertThat(firstCaptureWithScope(line, scope)).as("`%s` in `%s`", keyword, line).isEqualTo(keyword);
        }
    }

    @Test
    void everyLexerUnitIsHighlightedAfterANumber() {
        assertThat(Vocabulary.units()).hasSize(30).contains("%", "B", "KB/s", "GHz");
        Pattern number = Pattern.compile(rulePattern("numbers", 1));
        for (String unit : Vocabulary.units()) {
            for (String text : List.of("12 " + unit, "1.5e3" + unit)) {
                Matcher m = number.matcher(text);
                assertThat(m.find()).as(text).isTrue();
                assertThat(m.group(2)).as(text).isEqualTo(unit);
            }
        }
    }

    @Test
    void optionNamesAndMethodsComeFromTheSchemas() {
        assertThat(Vocabulary.optionNames()).contains("sparsity", "weight-decay", "int8-dot", "bandwidth", "accuracy");
        assertThat(Vocabulary.methodWords()).contains("magnitude", "l1-filter", "kmeans", "huffman", "block-circulant");
        assertThat(Vocabulary.choiceWords()).contains("per-channel", "cosine", "hotspot", "java").doesNotContain("no");
    }

    /** The text of the first capture that a top-level rule scopes as {@code scope}, trying rules as TextMate would. */
    @SuppressWarnings("unchecked")
    private static String firstCaptureWithScope(String line, String scope) {
        Map<String, Object> repo = (Map<String, Object>) TextMateGrammar.model().get("repository");
        for (String name : List.of("statement-keyword", "words", "selector")) {
            for (Object r : (List<Object>) ((Map<String, Object>) repo.get(name)).get("patterns")) {
                Map<String, Object> rule = (Map<String, Object>) r;
                List<Object> candidates = rule.containsKey("patterns")
                        ? (List<Object>) rule.get("patterns") : List.of(rule);
                for (Object c : candidates) {
                    Map<String, Object> cand = (Map<String, Object>) c;
                    Object captures = cand.containsKey("captures") ? cand.get("captures") : rule.get("beginCaptures");
                    String regex = (String) (cand.containsKey("match") ? cand.get("match") : rule.get("begin"));
                    if (captures == null || regex == null) {
                        continue;
                    }
                    for (var e : ((Map<String, Object>) captures).entrySet()) {
                        if (!scope.equals(((Map<String, Object>) e.getValue()).get("name"))) {
                            continue;
                        }
                        Matcher m = Pattern.compile(regex).matcher(line);
                        while (m.find()) {
                            String group = m.group(Integer.parseInt(e.getKey()));
                            if (group != null) {
                                return group;
                            }
                        }
                    }
                }
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static String rulePattern(String repoKey, int index) {
        Map<String, Object> repo = (Map<String, Object>) TextMateGrammar.model().get("repository");
        List<Object> patterns = (List<Object>) ((Map<String, Object>) repo.get(repoKey)).get("patterns");
        return (String) ((Map<String, Object>) patterns.get(index)).get("match");
    }
}
