package dev.tamp.cli;

import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.format.Formatter;
import dev.tamp.compiler.parse.ParsedFile;
import dev.tamp.compiler.parse.Parsing;
import dev.tamp.compiler.source.SourceFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tamp fmt [--check] FILE…}: rewrites files in the canonical layout, keeping comments. */
@Command(name = "fmt", description = "Format recipe and target files in place in the canonical layout.")
final class FmtCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files to format.")
    List<Path> files;

    @Option(names = "--check", description = "Change nothing; list files that are not formatted and exit with 1 if any.")
    boolean check;

    @Option(names = "--stdout", description = "Print the formatted text instead of rewriting the files.")
    boolean stdout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Diagnostics diagnostics = new Diagnostics();
        boolean unformatted = false;
        for (Path file : files) {
            SourceFile source;
            try {
                source = SourceFile.read(file, file.toString());
            } catch (IOException e) {
                err.println("error: cannot read `" + file + "`: "
                        + (e instanceof java.nio.file.NoSuchFileException ? "does not exist" : e.getMessage()));
                unformatted = true;
                continue;
            }
            ParsedFile parsed = Parsing.parse(source, diagnostics::report);
            if (!parsed.isClean()) {
                continue;
            }
            String formatted = Formatter.format(parsed);
            if (stdout) {
                out.print(formatted);
            } else if (!formatted.equals(source.text())) {
                if (check) {
                    out.println(file);
                    unformatted = true;
                } else {
                    writeAtomically(file, formatted);
                    out.println("formatted " + file);
                }
            }
        }
        int code = Reporting.finish(diagnostics, err);
        return code != ExitCode.OK || unformatted ? ExitCode.INPUT_ERROR : ExitCode.OK;
    }

    /**
     * Replaces a file in one step, so an interrupted run never leaves it half-written. A symbolic link stays a link
     * (its target is rewritten), and the file keeps its permissions rather than the temporary file's owner-only ones.
     */
    private static void writeAtomically(Path link, String text) throws IOException {
        Path file = link.toRealPath();
        Path temp = Files.createTempFile(file.getParent(), ".tamp-fmt-", ".tmp");
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            if (Files.getFileStore(file).supportsFileAttributeView(PosixFileAttributeView.class)) {
                Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(file));
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
