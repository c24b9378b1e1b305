package dev.tamp.model.data;

/** A data set file that cannot be used: unreadable, wrong magic number, truncated, or images and labels disagree. */
public final class DataLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataLoadException(String message) {
        super(message);
    }

    public DataLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
