package dev.tamp.ide.vim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tamp.ide.Vocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checked-in Vim syntax file is the generator's output, and, where Vim is installed, Vim itself gives the
 * expected syntax groups to keywords, options, methods, numbers, units, strings, comments and globs of an example.
 */
class VimSyntaxTest {
    static final Path CHECKED_IN = Path.of("vim/syntax/tamp.vim");

    @TempDir
    Path temp;

    @Test
    void checkedInSyntaxFileIsTheGeneratorsOutput() throws IOException {
        if (Boolean.getBoolean("golden.accept")) {
            Files.writeString(CHECKED_IN, VimSyntax.text(), StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(CHECKED_IN, StandardCharsets.UTF_8))
                .as("%s differs from the generator's output; rerun with -Dgolden.accept=true and commit it", CHECKED_IN)
                .isEqualTo(VimSyntax.text());
    }

    @Test
    void everyStatementKeywordIsAVimKeyword() {
        String text = VimSyntax.text();
        for (String keyword : Vocabulary.lexerKeywords()) {
            assertThat(text).containsPattern("syntax keyword tamp\\w+ [^\\n]*\\b" + keyword + "\\b");
        }
    }

    record Probe(String lineText, String token, String group) {}

    @Test
    void vimHighlightsTheExampleAsExpected() throws Exception {
        assumeTrue(vimAvailable(), "vim is not installed");
        Path example = Path.of("../examples/every-pass.recipe").toAbsolutePath().normalize();
        List<String> lines = Files.readAllLines(example);
        List<Probe> probes = List.of(
                new Probe("recipe every_pass", "recipe", "tampStatement"),
                new Probe("model  \"../models", "\"../models", "tampString"),
                new Probe("validation 10 %", "validation", "tampOption"),
                new Probe("validation 10 %", "10", "tampNumber"),
                new Probe("validation 10 %", "%", "tampUnit"),
                new Probe("latency  <= 3 ms", "ms", "tampUnit"),
                new Probe("accuracy >= baseline", "baseline", "tampConstant"),
                new Probe("regularize conv*", "conv*", "tampGlob"),
                new Probe("regularize conv*", "group-lasso", "tampMethod"),
                new Probe("regularize conv*", "1e-4", "tampNumber"),
                new Probe("prune conv2 { method l1-filter", "l1-filter", "tampMethod"),
                new Probe("prune conv2 { method l1-filter", "// whole", "tampComment"),
                new Probe("quantize * except fc2", "except", "tampOperatorWord"),
                new Probe("structure fc1", "block 32", "tampOption"),
                new Probe("format     idx", "idx", "tampChoice"));
        StringBuilder script = new StringBuilder();
        Path out = temp.resolve("groups.txt");
        script.append("set nocompatible\n")
                .append("let &runtimepath = '").append(Path.of("vim").toAbsolutePath()).append(",' . &runtimepath\n")
                .append("filetype on\nsyntax on\n")
                .append("edit ").append(example).append('\n')
                .append("let out = [&filetype]\n");
        for (Probe p : probes) {
            int line = indexOf(lines, p.lineText()) + 1;
            int column = lines.get(line - 1).indexOf(p.token(), lines.get(line - 1).indexOf(p.lineText().split(" ")[0]) + 1);
            if (p.lineText().startsWith(p.token())) {
                column = lines.get(line - 1).indexOf(p.token());
            }
            assertThat(column).as(p.toString()).isNotNegative();
            script.append("call add(out, synIDattr(synID(").append(line).append(", ").append(column + 1)
                    .append(", 1), 'name'))\n");
        }
        // The tour plans nothing (`auto` would retrain per round), so the `in` of an `auto` domain is probed in the
        // planned example.
        Path planned = Path.of("../examples/lenet5-rpi4.recipe").toAbsolutePath().normalize();
        List<String> plannedLines = Files.readAllLines(planned);
        int inLine = indexOf(plannedLines, "bits auto in {") + 1;
        int inColumn = plannedLines.get(inLine - 1).indexOf(" in {") + 1;
        script.append("edit ").append(planned).append('\n')
                .append("call add(out, synIDattr(synID(").append(inLine).append(", ").append(inColumn + 1)
                .append(", 1), 'name'))\n");
        script.append("call writefile(out, '").append(out).append("')\nqa!\n");
        Path scriptFile = Files.writeString(temp.resolve("probe.vim"), script.toString());
        Process vim = new ProcessBuilder("vim", "-N", "-u", "NONE", "-i", "NONE", "-n", "-es", "-S", scriptFile.toString())
                .redirectErrorStream(true).redirectOutput(temp.resolve("vim.log").toFile()).start();
        assertThat(vim.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> groups = Files.readAllLines(out);
        List<String> expected = new ArrayList<>(List.of("tamp"));
        probes.forEach(p -> expected.add(p.group()));
        expected.add("tampOperatorWord");
        assertThat(groups).containsExactlyElementsOf(expected);
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        throw new AssertionError("no line contains " + text);
    }

    private static boolean vimAvailable() {
        try {
            Process p = new ProcessBuilder("vim", "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
