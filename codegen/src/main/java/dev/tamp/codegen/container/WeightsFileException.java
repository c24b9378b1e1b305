package dev.tamp.codegen.container;

/**
 * A weights file that cannot be read: truncated, corrupted, oversized or inconsistent. The message says what is wrong
 * and where (section index, weight name, byte offset).
 */
public final class WeightsFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WeightsFileException(String message) {
        super(message);
    }

    public WeightsFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
