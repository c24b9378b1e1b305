package dev.tamp.compiler.diag;

import dev.tamp.compiler.source.SourceFile;
import dev.tamp.compiler.source.SourceSpan;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One problem found in an input, as a value: what (code and message), where (file and span), and what to do about it
 * (notes and a hint). Phases produce these and keep going; only the driver decides to stop.
 *
 * <p>Messages quote the input, and the input may be a megabyte on one line; texts longer than {@link #MAX_TEXT}
 * characters are shortened in the middle, so every consumer (terminal, JSON, editor) gets a bounded report.
 */
public record Diagnostic(
        DiagnosticCode code,
        Severity severity,
        SourceFile file,
        SourceSpan span,
        String message,
        List<Note> notes,
        Optional<String> hint) {

    public static final int MAX_TEXT = 400;

    public Diagnostic {
        Objects.requireNonNull(code);
        message = clip(Objects.requireNonNull(message));
        hint = hint.map(Diagnostic::clip);
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

    /** Shortens a text to at most {@link #MAX_TEXT} characters, keeping its start and end. */
    public static String clip(String text) {
        if (text.length() <= MAX_TEXT) {
            return text;
        }
        int keep = (MAX_TEXT - 1) / 2;
        return text.substring(0, keep) + "…" + text.substring(text.length() - keep);
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
