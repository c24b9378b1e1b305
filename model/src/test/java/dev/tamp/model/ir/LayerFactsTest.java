package dev.tamp.model.ir;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.RepoFiles;
import dev.tamp.model.onnx.OnnxImporter;
import org.junit.jupiter.api.Test;

class LayerFactsTest {
    private final Graph resnet8 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_resnet8.onnx")).graph();

    private Node only(String selector) {
        assertThat(resnet8.select(selector)).hasSize(1);
        return resnet8.select(selector).get(0);
    }

    @Test
    void weightMatricesOfFullyConnectedAndConvolutionLayers() {
        assertThat(LayerFacts.weightMatrix(resnet8, only("fc.weight"))).contains(new int[] {10, 128});
        assertThat(LayerFacts.weightMatrix(resnet8, only("/layer3/conv2/Conv"))).contains(new int[] {128, 1152});
        assertThat(LayerFacts.weightMatrix(resnet8, only("/layer1/Add"))).isEmpty();
    }

    @Test
    void residualAddsAreFoundThroughReluButNotThroughConvolutions() {
        assertThat(LayerFacts.residualAddsFed(resnet8, only("/layer1/conv2/Conv"))).extracting(Node::name)
                .containsExactly("/layer1/Add");
        // The stem's output is layer1's identity shortcut.
        assertThat(LayerFacts.residualAddsFed(resnet8, only("/conv1/Conv"))).extracting(Node::name)
                .containsExactly("/layer1/Add");
        assertThat(LayerFacts.residualAddsFed(resnet8, only("/layer1/conv1/Conv"))).isEmpty();
        assertThat(LayerFacts.residualAddsFed(resnet8, only("/layer2/shortcut/shortcut.0/Conv")))
                .extracting(Node::name).containsExactly("/layer2/Add");
    }
}
