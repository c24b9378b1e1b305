package dev.tamp.codegen.java;

/** Thrown at generation time for a graph the Java emitter cannot translate: an operator, attribute or weight it refuses. */
public final class UnsupportedModelException extends IllegalArgumentException {
    public UnsupportedModelException(String message) {
        super(message);
    }
}
