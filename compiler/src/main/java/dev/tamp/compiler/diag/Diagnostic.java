package dev.tamp.compiler.diag;

import dev.tamp.compiler.source.SourceFile;
import dev.tamp.compiler.source.SourceSpan;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One problem found in an input, as a value: what (code and message), where (file and span), and what to do about it
 * (notes and a hint). Phases produce these and keep going; only the driver decides to stop.
 */
public record Diagnostic(
        DiagnosticCode code,
        Severity severity,
        SourceFile file,
        SourceSpan span,
        String message,
        List<Note> notes,
        Optional<String> hint) {

    public Diagnostic {
        Objects.requireNonNull(code);
        Objects.requireNonNull(severity);
        Objects.requireNonNull(file);
        Objects.requireNonNull(span);
        Objects.requireNonNull(message);
        notes = List.copyOf(notes);
        Objects.requireNonNull(hint);
        if (span.endOffset() > file.length()) {
            throw new IllegalArgumentException("span " + span + " lies outside " + file.name());
        }
    }

    public static Diagnostic of(DiagnosticCode code, SourceFile file, SourceSpan span, String message) {
        return new Diagnostic(code, code.severity(), file, span, message, List.of(), Optional.empty());
    }

    public Diagnostic withNote(Note note) {
        var all = new java.util.ArrayList<>(notes);
        all.add(note);
        return new Diagnostic(code, severity, file, span, message, all, hint);
    }

    public Diagnostic withHint(String text) {
        return new Diagnostic(code, severity, file, span, message, notes, Optional.of(text));
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }
}
