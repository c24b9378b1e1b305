package dev.tamp.optimizer.numerics;

/** Which weights of a layer second-order pruning may zero, along each output row of the layer matrix. */
public sealed interface PrunePattern {
    /** Any {@code count} weights of the whole layer. */
    record Unstructured(long count) implements PrunePattern {
        public Unstructured {
            if (count < 0) {
                throw new IllegalArgumentException("cannot remove " + count + " weights");
            }
        }
    }

    /** {@code keep} of every {@code of} consecutive weights of a row (consecutive inputs) are kept, as 2:4. */
    record KeepNOfM(int keep, int of) implements PrunePattern {
        public KeepNOfM {
            if (of < 1 || keep < 0 || keep > of) {
                throw new IllegalArgumentException("cannot keep " + keep + " of every " + of + " weights");
            }
        }
    }
}
