package dev.tamp.optimizer.numerics;

import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Chooses the weights magnitude pruning removes: exactly the {@code count} smallest |w| over one tensor or several,
 * ties broken by position (earlier tensor, then lower flat index, goes first), so the result is deterministic and the
 * count exact whatever the duplicates.
 */
public final class MagnitudeSelection {
    private MagnitudeSelection() {}

    /** How many of {@code n} weights a sparsity removes: {@code round(sparsity * n)}, as PyTorch's pruning does. */
    public static long prunedCount(double sparsity, long n) {
        if (!(sparsity >= 0 && sparsity <= 1)) {
            throw new IllegalArgumentException("sparsity must be in [0, 1], got " + sparsity);
        }
        return Math.round(sparsity * n);
    }

    /** For each tensor, which of its elements are removed. */
    public static boolean[][] smallest(List<Tensor> tensors, long count) {
        long total = 0;
        for (Tensor t : tensors) {
            total += t.size();
        }
        if (count < 0 || count > total) {
            throw new IllegalArgumentException("cannot remove " + count + " of " + total + " weights");
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(total + " weights are too many to rank at once");
        }
        // Key: |w|'s float bits (ordered like the magnitudes for non-negative floats), then the global position.
        long[] keys = new long[(int) total];
        int g = 0;
        for (Tensor t : tensors) {
            for (float v : t.floats()) {
                long magnitude = Float.floatToRawIntBits(v) & 0x7fffffffL;
                keys[g] = magnitude << 32 | g;
                g++;
            }
        }
        Arrays.sort(keys);
        boolean[] removed = new boolean[(int) total];
        for (int i = 0; i < count; i++) {
            removed[(int) (keys[i] & 0xffffffffL)] = true;
        }
        boolean[][] perTensor = new boolean[tensors.size()][];
        int offset = 0;
        for (int i = 0; i < tensors.size(); i++) {
            int n = tensors.get(i).size();
            perTensor[i] = Arrays.copyOfRange(removed, offset, offset + n);
            offset += n;
        }
        return perTensor;
    }

    /**
     * The tensor with the marked elements removed, as {@code Sparse} with the gap width (1 to 16 bits) that stores it
     * in the fewest bytes, the narrowest on ties.
     */
    public static Sparse prune(Tensor w, boolean[] removed) {
        float[] x = w.floats();
        int kept = 0;
        for (boolean r : removed) {
            kept += r ? 0 : 1;
        }
        int[] positions = new int[kept];
        float[] values = new float[kept];
        int j = 0;
        for (int i = 0; i < x.length; i++) {
            if (!removed[i]) {
                positions[j] = i;
                values[j++] = x[i];
            }
        }
        Sparse best = null;
        for (int bits = 1; bits <= 16; bits++) {
            Sparse s = new Sparse(w.shape(), bits, positions, values);
            if (best == null || s.storedBytes() < best.storedBytes()) {
                best = s;
            }
        }
        return best;
    }
}
