package dev.tamp.model.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tamp.model.RepoFiles;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.onnx.OnnxImporter;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExecutorTest {
    @ParameterizedTest
    @ValueSource(strings = {"fmnist_lenet5", "fmnist_resnet8"})
    void resultsDoNotDependOnThreadsOrBatching(String name) {
        Model model = OnnxImporter.withDefaults().load(RepoFiles.model(name + ".onnx"));
        LabeledImages data = IdxFiles.locate(List.of(RepoFiles.fashionMnist())).slice(0, 37);
        Tensor batch = Preprocessing.unitScale().batch(data, 0, data.count());
        float[] single;
        float[] parallel;
        try (Executor one = Executor.create(model.graph(), 1); Executor two = Executor.create(model.graph(), 2)) {
            single = one.run(batch).floats();
            parallel = two.run(batch).floats();
            // Image by image gives the same bits as the whole batch: batching only changes speed.
            for (int i = 0; i < data.count(); i++) {
                float[] alone = one.run(Preprocessing.unitScale().batch(data, i, i + 1)).floats();
                float[] slice = java.util.Arrays.copyOfRange(single, i * 10, i * 10 + 10);
                assertThat(alone).containsExactly(slice);
            }
        }
        assertThat(parallel).containsExactly(single);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fmnist_lenet300_100"})
    void rejectsInputsOfTheWrongShape(String name) {
        Model model = OnnxImporter.withDefaults().load(RepoFiles.model(name + ".onnx"));
        try (Executor e = Executor.create(model.graph(), 1)) {
            assertThatThrownBy(() -> e.run(Tensor.ofFloats(new int[] {1, 1, 28, 27}, new float[28 * 27])))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input input must have shape");
        }
    }
}
