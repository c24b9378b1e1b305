package dev.tamp.cli;

import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticRenderer;
import dev.tamp.compiler.diag.Diagnostics;
import java.io.PrintWriter;

/** Prints collected diagnostics and a summary to stderr, and turns them into an exit code. */
final class Reporting {
    private Reporting() {}

    static int finish(Diagnostics diagnostics, PrintWriter err) {
        for (Diagnostic d : diagnostics.sorted()) {
            err.print(DiagnosticRenderer.render(d));
            err.println();
        }
        if (diagnostics.hasErrors() || diagnostics.warningCount() > 0) {
            err.println(DiagnosticRenderer.summary(diagnostics));
        }
        err.flush();
        return diagnostics.hasErrors() ? ExitCode.INPUT_ERROR : ExitCode.OK;
    }
}
