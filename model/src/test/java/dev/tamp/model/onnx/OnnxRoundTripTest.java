package dev.tamp.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.OrtOracle;
import dev.tamp.model.RepoFiles;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Import, export, then ONNX Runtime: the exported model computes what the original does. */
class OnnxRoundTripTest {
    @ParameterizedTest
    @ValueSource(strings = {"fmnist_lenet300_100", "fmnist_lenet5", "fmnist_resnet8"})
    void exportedReferenceModelRunsInOnnxRuntimeWithIdenticalOutputs(String name) throws Exception {
        Model model = OnnxImporter.withDefaults().load(RepoFiles.model(name + ".onnx"));
        byte[] exported = OnnxExporter.toBytes(model);
        LabeledImages data = IdxFiles.locate(List.of(RepoFiles.fashionMnist())).slice(0, 256);
        Tensor batch = Preprocessing.unitScale().batch(data, 0, data.count());
        float[] original;
        float[] roundTripped;
        try (OrtOracle ort = OrtOracle.open(RepoFiles.model(name + ".onnx"))) {
            original = ort.run(batch);
        }
        try (OrtOracle ort = OrtOracle.open(exported)) {
            roundTripped = ort.run(batch);
        }
        // Same nodes and bit-identical weights: ONNX Runtime must produce bit-identical logits.
        assertThat(roundTripped).containsExactly(original);

        Model reimported = OnnxImporter.withDefaults().parse(exported, null, "exported " + name);
        assertThat(reimported.graph().nodes()).isEqualTo(model.graph().nodes());
        assertThat(reimported.graph().weights()).isEqualTo(model.graph().weights());
        assertThat(reimported.graph().values()).isEqualTo(model.graph().values());
        assertThat(OnnxExporter.toBytes(reimported)).as("export is deterministic").isEqualTo(exported);
    }

    @Test
    void foldedBatchNormExportsToAModelOnnxRuntimeAgreesWith() throws Exception {
        byte[] bytes = TestModels.convBnRelu().toByteArray();
        Model unfolded = new OnnxImporter(ImportOptions.defaults().withFoldBatchNorm(false),
                dev.tamp.model.ops.Operators.standard()).parse(bytes, null, "conv_bn_relu");
        Model folded = OnnxImporter.withDefaults().parse(bytes, null, "conv_bn_relu");
        assertThat(unfolded.graph().nodesOfType("BatchNormalization")).hasSize(1);
        assertThat(folded.graph().nodesOfType("BatchNormalization")).isEmpty();
        assertThat(folded.graph().nodes()).extracting(n -> n.opType()).containsExactly("Conv", "Relu");

        Tensor x = TestModels.random(42, 3, 4, 6, 6);
        float[] reference;
        try (OrtOracle ort = OrtOracle.open(bytes)) {
            reference = ort.run(x);
        }
        float[] exportedOut;
        try (OrtOracle ort = OrtOracle.open(OnnxExporter.toBytes(folded))) {
            exportedOut = ort.run(x);
        }
        float[] ours;
        try (Executor e = Executor.create(folded.graph(), 1)) {
            ours = e.run(x).floats();
        }
        float[] oursUnfolded;
        try (Executor e = Executor.create(unfolded.graph(), 1)) {
            oursUnfolded = e.run(x).floats();
        }
        // Folding reassociates (w * a) . x versus (w . x) * a in float32: a few ulps on values of order 1-10.
        for (int i = 0; i < reference.length; i++) {
            assertThat(ours[i]).isCloseTo(reference[i], org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(exportedOut[i]).isCloseTo(reference[i], org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(oursUnfolded[i]).isCloseTo(reference[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }
}
