package dev.tamp.compiler.ir;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.source.SourceSpan;
import java.util.Objects;

/**
 * One checked pass statement: its family, the layers it selects (all layers if it had no selector) and its resolved
 * options. Like MLIR pass options, the values are typed by the family's schema and read by the pass that runs it.
 */
public record PassRequest(PassKind kind, LayerSelector selector, Settings settings, SourceSpan span) {
    public PassRequest {
        Objects.requireNonNull(kind);
        Objects.requireNonNull(selector);
        Objects.requireNonNull(settings);
        Objects.requireNonNull(span);
    }

    /** The method, for families that have one. */
    public String method() {
        return settings.word("method");
    }
}
