package dev.tamp.optimizer.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ops.Parallelism;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The training forward pass against the reference executor on the three reference models and real images. Both use
 * the same plain Java GEMM with the same summation order per element (bias first for Conv, added after the products
 * for Gemm), the same BatchNorm affine map and float GlobalAveragePool sums, so the logits must be bit-identical.
 */
class ForwardMatchesExecutorTest {
    @Test
    void lenet300() {
        compare("fmnist_lenet300_100");
    }

    @Test
    void lenet5() {
        compare("fmnist_lenet5");
    }

    @Test
    void resnet8() {
        compare("fmnist_resnet8");
    }

    private static void compare(String name) {
        Graph graph = TrainingFixtures.model(name);
        Tensor batch = Preprocessing.unitScale().batch(TrainingFixtures.test(), 0, 48);
        float[] expected;
        try (Executor executor = Executor.create(graph, 2)) {
            expected = executor.run(batch).floats();
        }
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try {
            float[] actual = TrainableGraph.of(graph).forward(batch.floats(), batch.shape(), new Parallelism(pool, 2));
            assertThat(actual).as(name).containsExactly(expected);
        } finally {
            pool.shutdownNow();
        }
    }
}
