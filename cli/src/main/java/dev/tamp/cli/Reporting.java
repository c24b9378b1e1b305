package dev.tamp.cli;

import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticRenderer;
import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.diag.Severity;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * Prints collected diagnostics and a summary to stderr, and turns them into an exit code. Under {@code --quiet} a
 * command's stderr is {@link #errors wrapped} so that only errors reach it, and its progress goes nowhere.
 */
final class Reporting {
    private Reporting() {}

    /** The stderr of a command run with {@code --quiet}: {@link #finish} prints only errors to it. */
    private static final class ErrorsOnly extends PrintWriter {
        ErrorsOnly(PrintWriter err) {
            super(err, true);
        }
    }

    /** {@code err} as the command's stderr: with {@code quiet}, one that only errors reach. */
    static PrintWriter errors(PrintWriter err, boolean quiet) {
        return quiet ? new ErrorsOnly(err) : err;
    }

    /** Where progress goes: {@code err}, or nowhere under {@code --quiet}. */
    static PrintWriter progress(PrintWriter err, boolean quiet) {
        return quiet || err instanceof ErrorsOnly ? new PrintWriter(Writer.nullWriter()) : err;
    }

    static int finish(Diagnostics diagnostics, PrintWriter err) {
        boolean errorsOnly = err instanceof ErrorsOnly;
        for (Diagnostic d : diagnostics.sorted()) {
            if (!errorsOnly || d.severity() == Severity.ERROR) {
                err.print(DiagnosticRenderer.render(d));
                err.println();
            }
        }
        if (diagnostics.hasErrors() || (!errorsOnly && diagnostics.warningCount() > 0)) {
            err.println(DiagnosticRenderer.summary(diagnostics));
        }
        err.flush();
        return diagnostics.hasErrors() ? ExitCode.INPUT_ERROR : ExitCode.OK;
    }
}
