package dev.tamp.model.ops;

/** Thrown when a node uses an operator, attribute value or element type that tamp does not implement. */
public final class UnsupportedFeatureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnsupportedFeatureException(String message) {
        super(message);
    }
}
