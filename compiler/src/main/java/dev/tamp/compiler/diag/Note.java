package dev.tamp.compiler.diag;

import dev.tamp.compiler.source.SourceFile;
import dev.tamp.compiler.source.SourceSpan;
import java.util.Objects;
import java.util.Optional;

/** A secondary message attached to a diagnostic, optionally pointing at another place (such as a first definition). */
public record Note(String message, Optional<SourceFile> file, Optional<SourceSpan> span) {

    public Note {
        message = Diagnostic.clip(Objects.requireNonNull(message));
        Objects.requireNonNull(file);
        Objects.requireNonNull(span);
        if (file.isPresent() != span.isPresent()) {
            throw new IllegalArgumentException("a note's file and span come together");
        }
    }

    public static Note of(String message) {
        return new Note(message, Optional.empty(), Optional.empty());
    }

    public static Note at(SourceFile file, SourceSpan span, String message) {
        return new Note(message, Optional.of(file), Optional.of(span));
    }
}
