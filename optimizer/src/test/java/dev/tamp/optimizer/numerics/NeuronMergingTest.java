package dev.tamp.optimizer.numerics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NeuronMergingTest {
    @Test
    void twoIdenticalNeuronsMergeFirstAtZeroSaliencyAndAddTheirOutgoingWeights() {
        double[][] in = {{1, 2, 0.5}, {-1, 0, 3}, {1, 2, 0.5}, {4, 4, 4}};
        double[][] out = {{1, -2}, {3, 3}, {0.25, 1}, {9, 9}};
        List<NeuronMerging.Merge> merges = NeuronMerging.merge(in, out, 1);
        assertThat(merges).containsExactly(new NeuronMerging.Merge(0, 2, 0.0));
        assertThat(out[2]).containsExactly(1.25, -1.0);
        assertThat(out[1]).containsExactly(3, 3);
    }

    @Test
    void saliencyWeighsTheDistanceByTheMeanSquaredOutgoingWeight() {
        // Squared distances: (0,1) 1, (1,2) 1, (0,2) 4. Neuron 1 carries heavy outgoing weights (<a^2> = 100), so
        // the cheapest removal is 2 (<a^2> = 0.01) into its nearest neighbour 1: 0.01 * 1, below 0 into 1 (1 * 1).
        double[][] in = {{0, 0}, {1, 0}, {2, 0}};
        double[][] out = {{1}, {10}, {0.1}};
        List<NeuronMerging.Merge> merges = NeuronMerging.merge(in, out, 1);
        assertThat(merges.get(0).removed()).isEqualTo(2);
        assertThat(merges.get(0).into()).isEqualTo(1);
        assertThat(merges.get(0).saliency()).isEqualTo(0.01 * 1, org.assertj.core.data.Offset.offset(1e-15));
    }

    @Test
    void atLeastOneNeuronStays() {
        assertThatThrownBy(() -> NeuronMerging.merge(new double[][] {{1}, {2}}, new double[][] {{1}, {1}}, 2))
                .hasMessageContaining("cannot remove 2 of 2");
    }
}
