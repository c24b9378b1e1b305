package dev.tamp.ide.textmate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the generated TextMate grammar to a file: {@code GenerateTextMateGrammar ide/vscode/syntaxes/tamp.tmLanguage.json}. */
public final class GenerateTextMateGrammar {
    private GenerateTextMateGrammar() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: GenerateTextMateGrammar OUTPUT.tmLanguage.json");
            System.exit(2);
        }
        write(Path.of(args[0]));
    }

    /** Writes the grammar, creating the folder if needed. */
    public static void write(Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.writeString(out, TextMateGrammar.json(), StandardCharsets.UTF_8);
    }
}
