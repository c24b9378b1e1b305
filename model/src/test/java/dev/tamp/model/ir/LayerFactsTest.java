package dev.tamp.model.ir;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.RepoFiles;
import dev.tamp.model.onnx.OnnxImporter;
import org.junit.jupiter.api.Test;

class LayerFactsTest {
    private final Graph resnet8 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_resnet8.onnx")).graph();

    private Node only(String name) {
        if (resnet8.isWeight(name)) {
            assertThat(resnet8.consumersOf(name)).hasSize(1);
            return resnet8.consumersOf(name).get(0);
        }
        return resnet8.node(name).orElseThrow();
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

    @Test
    void theOutputLayerReachesTheOutputAndChannelSourcesSkipActivations() {
        assertThat(LayerFacts.reachesOutput(resnet8, only("fc.weight"))).isTrue();
        assertThat(LayerFacts.reachesOutput(resnet8, only("/layer3/conv2/Conv"))).isFalse();
        // layer1's Add reads the stem through its Relu.
        assertThat(LayerFacts.channelSource(resnet8, only("/Relu").output(0))).contains(only("/conv1/Conv"));
    }

    @Test
    void modulePathsFollowTheExportersScopes() {
        assertThat(LayerFacts.modulePath("/layer2/shortcut/shortcut.0/Conv")).contains("layer2.shortcut.0");
        assertThat(LayerFacts.modulePath("/layer1/conv1/Conv")).contains("layer1.conv1");
        assertThat(LayerFacts.modulePath("/fc1/Gemm")).contains("fc1");
        assertThat(LayerFacts.modulePath("/Relu")).isEmpty();
        assertThat(LayerFacts.modulePath("Conv_3")).isEmpty();
    }
}
