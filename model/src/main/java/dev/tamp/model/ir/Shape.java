package dev.tamp.model.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The dimensions of a tensor, some of which may be symbolic (the batch size) or unknown. */
public record Shape(List<Dim> dims) {
    public Shape {
        dims = List.copyOf(dims);
    }

    public static Shape of(long... sizes) {
        List<Dim> dims = new ArrayList<>();
        for (long s : sizes) {
            dims.add(Dim.of(s));
        }
        return new Shape(dims);
    }

    public int rank() {
        return dims.size();
    }

    public boolean isFullyKnown() {
        return dims.stream().allMatch(Dim::isKnown);
    }

    /** Number of elements, or -1 when some dimension is not known. */
    public long elementCount() {
        long n = 1;
        for (Dim d : dims) {
            if (!d.isKnown()) {
                return -1;
            }
            n = Math.multiplyExact(n, d.size());
        }
        return n;
    }

    @Override
    public String toString() {
        return dims.stream().map(Dim::toString).collect(Collectors.joining("x", "[", "]"));
    }
}
