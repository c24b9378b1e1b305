package dev.tamp.model.ir;

import java.util.Objects;

/** One dimension of a tensor shape: a known size, a named symbol such as the batch size {@code N}, or unknown. */
public record Dim(long size, String symbol) {
    public Dim {
        if (size < -1) {
            throw new IllegalArgumentException("dimension size must be >= 0 or -1 (not known), got " + size);
        }
        if (size >= 0 && symbol != null) {
            throw new IllegalArgumentException("a dimension is either known or symbolic, not both");
        }
    }

    public static Dim of(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("known dimension must be >= 0, got " + size);
        }
        return new Dim(size, null);
    }

    public static Dim symbolic(String symbol) {
        return new Dim(-1, Objects.requireNonNull(symbol));
    }

    public static Dim unknown() {
        return new Dim(-1, null);
    }

    public boolean isKnown() {
        return size >= 0;
    }

    @Override
    public String toString() {
        return isKnown() ? Long.toString(size) : symbol != null ? symbol : "?";
    }
}
