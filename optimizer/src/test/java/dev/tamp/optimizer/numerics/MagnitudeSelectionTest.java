package dev.tamp.optimizer.numerics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.Tensor;
import dev.tamp.optimizer.RandomTensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Magnitude selection keeps exactly the requested count, below one threshold, ties broken by position. */
class MagnitudeSelectionTest {
    private static final double[] SPARSITIES = {0, 0.001, 0.25, 0.5, 0.5001, 0.9, 0.999, 1};

    @Test
    void perTensorRemovesExactlyTheRequestedCountOfTheSmallest() {
        Random random = new Random(1989);
        for (int[] shape : RandomTensors.SHAPES) {
            for (int kind = 0; kind < RandomTensors.KINDS; kind++) {
                Tensor w = RandomTensors.of(shape, kind, random);
                for (double sparsity : SPARSITIES) {
                    long count = MagnitudeSelection.prunedCount(sparsity, w.size());
                    boolean[] removed = MagnitudeSelection.smallest(List.of(w), count)[0];
                    checkSelection(List.of(w), new boolean[][] {removed}, count);
                    Sparse s = MagnitudeSelection.prune(w, removed);
                    assertThat(s.positions().length).isEqualTo(w.size() - count);
                    float[] x = w.floats();
                    float[] y = s.materialize().floats();
                    for (int k = 0; k < x.length; k++) {
                        assertThat(y[k]).isEqualTo(removed[k] ? 0f : x[k]);
                    }
                    assertThat(s.storedBytes()).isEqualTo(s.serialize().length);
                }
            }
        }
    }

    @Test
    void globalSelectionSharesOneThresholdAcrossTensors() {
        Random random = new Random(2016);
        for (int trial = 0; trial < 50; trial++) {
            List<Tensor> tensors = new ArrayList<>();
            for (int i = 0; i < 1 + trial % 4; i++) {
                tensors.add(RandomTensors.of(RandomTensors.SHAPES.get(random.nextInt(RandomTensors.SHAPES.size())),
                        random.nextInt(RandomTensors.KINDS), random));
            }
            long total = tensors.stream().mapToLong(Tensor::size).sum();
            long count = MagnitudeSelection.prunedCount(SPARSITIES[trial % SPARSITIES.length], total);
            checkSelection(tensors, MagnitudeSelection.smallest(tensors, count), count);
        }
    }

    @Test
    void tiesGoToTheEarlierPosition() {
        Tensor a = Tensor.ofFloats(new int[] {4}, new float[] {1f, -1f, 1f, 2f});
        Tensor b = Tensor.ofFloats(new int[] {2}, new float[] {1f, 0.5f});
        boolean[][] removed = MagnitudeSelection.smallest(List.of(a, b), 3);
        assertThat(removed[0]).containsExactly(true, true, false, false);
        assertThat(removed[1]).containsExactly(false, true);
    }

    @Test
    void countRoundsHalfUpLikePyTorch() {
        assertThat(MagnitudeSelection.prunedCount(0.5, 7)).isEqualTo(4);
        assertThat(MagnitudeSelection.prunedCount(0.5, 266_200)).isEqualTo(133_100);
    }

    /** Exactly {@code count} removed, and no removed |w| above a kept one; among equal |w|, earlier positions go. */
    private static void checkSelection(List<Tensor> tensors, boolean[][] removed, long count) {
        long n = 0;
        float maxRemoved = -1;
        float minKept = Float.POSITIVE_INFINITY;
        int lastRemovedAtThreshold = -1;
        int firstKeptAtThreshold = Integer.MAX_VALUE;
        List<float[]> values = tensors.stream().map(Tensor::floats).toList();
        for (int t = 0; t < tensors.size(); t++) {
            for (int k = 0; k < removed[t].length; k++) {
                float m = Math.abs(values.get(t)[k]);
                if (removed[t][k]) {
                    n++;
                    maxRemoved = Math.max(maxRemoved, m);
                } else {
                    minKept = Math.min(minKept, m);
                }
            }
        }
        assertThat(n).isEqualTo(count);
        assertThat(maxRemoved).isLessThanOrEqualTo(minKept);
        int position = 0;
        for (int t = 0; t < tensors.size(); t++) {
            for (int k = 0; k < removed[t].length; k++, position++) {
                if (Math.abs(values.get(t)[k]) == maxRemoved && maxRemoved == minKept) {
                    if (removed[t][k]) {
                        lastRemovedAtThreshold = position;
                    } else {
                        firstKeptAtThreshold = Math.min(firstKeptAtThreshold, position);
                    }
                }
            }
        }
        assertThat(lastRemovedAtThreshold).isLessThan(firstKeptAtThreshold);
    }
}
