package dev.tamp.compiler.format;

import dev.tamp.compiler.ast.AstPrinter;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticRenderer;
import dev.tamp.compiler.parse.AstBuilder;
import dev.tamp.compiler.parse.ParsedFile;
import dev.tamp.compiler.parse.Parsing;
import dev.tamp.compiler.source.SourceFile;
import dev.tamp.grammar.RecipeLexer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.antlr.v4.runtime.Token;

/** Parsing, formatting and comparing recipe text for the formatter's tests. */
final class FormatTesting {
    /** Golden inputs and outputs; relative to the module folder, where Maven runs tests. */
    static final Path GOLDEN = Path.of("src/test/resources/golden/format");

    private FormatTesting() {}

    /** A file that must parse without errors; the failure message shows the diagnostics. */
    static ParsedFile parseClean(String name, String text) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        ParsedFile parsed = Parsing.parse(SourceFile.of(name, text), diagnostics::add);
        if (!parsed.isClean()) {
            throw new AssertionError(name + " does not parse cleanly:\n"
                    + diagnostics.stream().map(DiagnosticRenderer::render).collect(Collectors.joining("\n"))
                    + "\n--- text ---\n" + text);
        }
        return parsed;
    }

    static String format(String name, String text) {
        return Formatter.format(parseClean(name, text));
    }

    /** The AST of a clean file as a span-free S-expression. */
    static String ast(String name, String text) {
        ParsedFile parsed = parseClean(name, text);
        List<Diagnostic> diagnostics = new ArrayList<>();
        String printed = AstPrinter.print(AstBuilder.build(parsed.source(), parsed.tree().get(), diagnostics::add));
        if (!diagnostics.isEmpty()) {
            throw new AssertionError(name + ": AST builder reported " + diagnostics);
        }
        return printed;
    }

    /**
     * The comments of a file in order, with line endings as {@code \n} and trailing blanks of each line removed: the
     * two changes the formatter may make to a comment.
     */
    static List<String> comments(String name, String text) {
        List<String> comments = new ArrayList<>();
        for (Token t : parseClean(name, text).tokens().getTokens()) {
            if (t.getType() == RecipeLexer.LINE_COMMENT || t.getType() == RecipeLexer.BLOCK_COMMENT) {
                comments.add(t.getText().replace("\r\n", "\n").replace('\r', '\n').lines()
                        .map(String::stripTrailing).collect(Collectors.joining("\n")));
            }
        }
        return comments;
    }

    /** Every recipe and target file directly inside a folder, sorted by name. */
    static List<Path> sourcesIn(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".recipe") || f.toString().endsWith(".target"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
