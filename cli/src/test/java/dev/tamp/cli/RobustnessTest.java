package dev.tamp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tamp.compiler.Frontend;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticRenderer;
import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.diag.Note;
import dev.tamp.compiler.sema.FileKind;
import dev.tamp.compiler.source.SourceFile;
import dev.tamp.compiler.source.SourceSpan;
import dev.tamp.grammar.RecipeLexer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Thousands of mutations of the example recipes, target specs and golden inputs (token deletion, duplication and
 * swaps, random bytes, truncation, runaway nesting, megabyte lines) go through the front end and the CLI: never an
 * exception, every diagnostic inside the file, exit code 1 exactly when there are errors. The seed is fixed, so a
 * failure reproduces; the failing input is written to {@code target/robustness-failure.*}.
 */
class RobustnessTest {
    private static final long SEED = 20261124L;
    private static final int MUTANTS = 3000;
    private static final String[] WORDS = {"recipe", "target", "model", "prune", "quantize", "auto", "in", "except",
        "type", "baseline", "KB", "%", "..", "{", "}", ",", ";", ":", "/", "#", "-", "<=", ">=", "\"", "re\"",
        "\n", "/*", "*/", "//", "4x4", "2:4", "1e-3", "*", "conv?", "\t", "\u00e9", "\uFFFD"};

    @TempDir
    Path temp;

    @Test
    void mutatedInputsNeverCrashAndAlwaysPointInsideTheFile() throws IOException {
        List<Path> seeds = seeds();
        assertThat(seeds).hasSizeGreaterThan(10);
        Random random = new Random(SEED);
        int[] withErrors = {0};
        assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
            for (int i = 0; i < MUTANTS; i++) {
                Path seed = seeds.get(random.nextInt(seeds.size()));
                String original = Files.readString(seed, StandardCharsets.UTF_8);
                String mutant = mutate(original, random, i);
                if (checkInProcess(seed, mutant, i)) {
                    withErrors[0]++;
                }
                if (i % 25 == 0) {
                    checkThroughCli(seed, mutant, i);
                }
            }
        });
        // Both outcomes occur, so the mutations neither all break the input nor all miss it.
        assertThat(withErrors[0]).isBetween(MUTANTS / 2, MUTANTS - 50);
    }

    /** Checks one mutant in process; returns whether it had errors. */
    private boolean checkInProcess(Path seed, String text, int index) throws IOException {
        SourceFile file = SourceFile.at(seed, seed.getFileName().toString(), text);
        Diagnostics diagnostics = new Diagnostics();
        try {
            new Frontend(diagnostics).check(file, FileKind.of(seed));
            for (Diagnostic d : diagnostics.sorted()) {
                assertInside(d.file(), d.span(), d);
                for (Note note : d.notes()) {
                    if (note.span().isPresent()) {
                        assertInside(note.file().get(), note.span().get(), d);
                    }
                }
                String rendered = DiagnosticRenderer.render(d);
                assertThat(rendered).doesNotContain("Exception").hasSizeLessThan(4_000);
            }
            return diagnostics.hasErrors();
        } catch (Throwable t) {
            Path saved = saveFailure(seed, text);
            fail("mutant " + index + " of " + seed + " (saved to " + saved + ") failed: " + t, t);
            return true;
        }
    }

    private void checkThroughCli(Path seed, String text, int index) throws IOException {
        String name = seed.getFileName().toString();
        Path file = temp.resolve("m" + index + name.substring(name.lastIndexOf('.')));
        Files.writeString(file, text, StandardCharsets.UTF_8);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Tamp.run(new PrintWriter(out), new PrintWriter(err), "check", file.toString());
        Diagnostics diagnostics = new Diagnostics();
        new Frontend(diagnostics).check(file, file.toString());
        if (code != (diagnostics.hasErrors() ? 1 : 0) || err.toString().contains("internal error")
                || err.toString().contains("\tat ")) {
            Path saved = saveFailure(seed, text);
            fail("mutant " + index + " of " + seed + " (saved to " + saved + "): exit " + code + "\n" + err);
        }
        Files.delete(file);
    }

    private static void assertInside(SourceFile file, SourceSpan span, Diagnostic d) {
        assertThat(span.line()).as("line of %s", d.message()).isBetween(1, file.lineCount());
        assertThat(span.column()).as("column of %s", d.message()).isBetween(1, file.line(span.line()).length() + 1);
        assertThat(span.endOffset()).as("end of %s", d.message()).isLessThanOrEqualTo(file.length());
    }

    private static Path saveFailure(Path seed, String text) throws IOException {
        String name = seed.getFileName().toString();
        Path saved = Path.of("target", "robustness-failure" + name.substring(name.lastIndexOf('.'))).toAbsolutePath();
        Files.createDirectories(saved.getParent());
        Files.writeString(saved, text, StandardCharsets.UTF_8);
        return saved;
    }

    static List<Path> seeds() throws IOException {
        List<Path> seeds = new ArrayList<>();
        for (String dir : List.of("../examples", "../specs", "../compiler/src/test/resources/golden/diagnostics")) {
            try (Stream<Path> files = Files.list(Path.of(dir))) {
                files.filter(p -> p.toString().endsWith(".recipe") || p.toString().endsWith(".target"))
                        .sorted().forEach(seeds::add);
            }
        }
        return seeds;
    }

    static String mutate(String text, Random random, int index) {
        List<int[]> tokens = tokenBounds(text);
        int kind = random.nextInt(10);
        if (index % 60 == 59) {
            return megabyteLine(text, random);
        }
        if (tokens.isEmpty() || text.isEmpty()) {
            return text + WORDS[random.nextInt(WORDS.length)];
        }
        int[] t = tokens.get(random.nextInt(tokens.size()));
        int cuts = text.codePointCount(0, text.length());
        switch (kind) {
            case 0: // delete a token
                return slice(text, 0, t[0]) + slice(text, t[1], cuts);
            case 1: // duplicate a token
                return slice(text, 0, t[1]) + " " + slice(text, t[0], cuts);
            case 2: { // swap a token with its neighbour
                int j = tokens.indexOf(t);
                if (j + 1 >= tokens.size()) {
                    return slice(text, 0, t[0]);
                }
                int[] u = tokens.get(j + 1);
                return slice(text, 0, t[0]) + slice(text, u[0], u[1]) + slice(text, t[1], u[0])
                        + slice(text, t[0], t[1]) + slice(text, u[1], cuts);
            }
            case 3: { // random bytes, often not UTF-8
                byte[] bytes = new byte[1 + random.nextInt(8)];
                random.nextBytes(bytes);
                String junk = new String(bytes, StandardCharsets.ISO_8859_1);
                int at = random.nextInt(cuts + 1);
                return slice(text, 0, at) + junk + slice(text, at, cuts);
            }
            case 4: // truncate
                return slice(text, 0, random.nextInt(cuts + 1));
            case 5: { // runaway nesting
                int depth = 10 + random.nextInt(20_000);
                int at = t[0];
                String open = random.nextBoolean() ? "{" : "{ x ";
                return slice(text, 0, at) + open.repeat(depth) + (random.nextBoolean() ? "}".repeat(depth) : "")
                        + slice(text, at, cuts);
            }
            case 6: // replace a token with another word
                return slice(text, 0, t[0]) + WORDS[random.nextInt(WORDS.length)] + slice(text, t[1], cuts);
            case 7: { // flip a character
                int at = random.nextInt(cuts);
                return slice(text, 0, at) + (char) random.nextInt(0x80) + slice(text, at + 1, cuts);
            }
            case 8: { // insert a word between tokens
                return slice(text, 0, t[1]) + " " + WORDS[random.nextInt(WORDS.length)] + " " + slice(text, t[1], cuts);
            }
            default: { // delete a run of tokens
                int j = tokens.indexOf(t);
                int[] end = tokens.get(Math.min(tokens.size() - 1, j + random.nextInt(6)));
                return slice(text, 0, t[0]) + slice(text, end[1], cuts);
            }
        }
    }

    private static String megabyteLine(String text, Random random) {
        String[] fillers = {"a", "9", "{", "\"", " ", "x,", "%", "conv*", "/*"};
        String filler = fillers[random.nextInt(fillers.length)];
        String line = filler.repeat((1 << 20) / filler.length());
        int cuts = text.codePointCount(0, text.length());
        int at = random.nextInt(cuts + 1);
        return slice(text, 0, at) + line + slice(text, at, cuts);
    }

    private static String slice(String text, int fromCodePoint, int toCodePoint) {
        int from = text.offsetByCodePoints(0, fromCodePoint);
        int to = text.offsetByCodePoints(0, toCodePoint);
        return text.substring(from, to);
    }

    /** Token boundaries in code points, all channels but whitespace. */
    private static List<int[]> tokenBounds(String text) {
        RecipeLexer lexer = new RecipeLexer(CharStreams.fromString(text));
        lexer.removeErrorListeners();
        List<int[]> bounds = new ArrayList<>();
        for (Token t = lexer.nextToken(); t.getType() != Token.EOF; t = lexer.nextToken()) {
            if (t.getType() != RecipeLexer.WS) {
                bounds.add(new int[] {t.getStartIndex(), t.getStopIndex() + 1});
            }
        }
        return bounds;
    }
}
