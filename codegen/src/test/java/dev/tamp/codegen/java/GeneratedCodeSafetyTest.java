package dev.tamp.codegen.java;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tamp.codegen.container.WeightsFile;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ir.Weight;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile names, corrupted containers and refused graphs. */
class GeneratedCodeSafetyTest {
    static final List<String> HOSTILE = List.of("\"; System.exit(1); //", "/conv1/Conv", "*/ class Evil { /*",
            "\\u0022); Runtime.getRuntime().halt(3); (\\u0022", "naïve\nline\u2028break");

    /** {@code graph} with its layers and its first weight renamed to hostile strings (tensor names unchanged). */
    static Graph hostile(Graph graph) {
        List<Node> nodes = new ArrayList<>();
        String oldWeight = graph.weights().keySet().iterator().next();
        String newWeight = HOSTILE.get(0) + " weight";
        for (int i = 0; i < graph.nodes().size(); i++) {
            Node n = graph.nodes().get(i);
            List<String> inputs = n.inputs().stream().map(s -> s.equals(oldWeight) ? newWeight : s).toList();
            nodes.add(new Node(HOSTILE.get(i % HOSTILE.size()) + (i < HOSTILE.size() ? "" : " " + i), n.opType(),
                    inputs, n.outputs(), n.attributes()));
        }
        Map<String, Weight> weights = new LinkedHashMap<>();
        graph.weights().forEach((k, w) -> weights.put(k.equals(oldWeight) ? newWeight : k,
                k.equals(oldWeight) ? new Weight(newWeight, w.representation()) : w));
        Map<String, ValueInfo> values = new LinkedHashMap<>();
        graph.values().forEach((k, v) -> values.put(k.equals(oldWeight) ? newWeight : k,
                k.equals(oldWeight) ? new ValueInfo(newWeight, v.type(), v.shape()) : v));
        return new Graph(HOSTILE.get(2), graph.opsetVersion(), graph.inputs(), graph.outputs(), nodes, weights,
                values);
    }

    @Test
    void hostileNamesStayInStringLiterals(@TempDir Path dir) throws Throwable {
        Graph original = JavaEmitterTest.graph("fmnist_lenet5");
        Graph graph = hostile(original);
        String source = JavaEmitter.source(graph, "gen.hostile", "Model");
        String code = source.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"");
        // Outside string literals only sanitized identifiers remain (e.g. relu_class_Evil), never the raw names.
        assertThat(code).doesNotContain("System.exit(", "class Evil", "halt(", "naïve", "\\u0022", "*/ class");
        assertThat(source).contains("\"\\\"; System.exit(1); //\"", "\"*/ class Evil { /*\"");
        assertThat(source).containsPattern("[a-zA-Z]+_conv1_Conv\\(");

        GeneratedJava java = GeneratedJava.compile("gen.hostile", "Model", source, dir);
        Object model = java.load(WeightsFile.write(graph));
        String[] names = (String[]) GeneratedJava.invoke(java.type.getMethod("layerNames"), null);
        assertThat(names).startsWith(HOSTILE.toArray(String[]::new));
        assertThat(java.type.getField("MODEL_NAME").get(null)).isEqualTo(HOSTILE.get(2));

        GeneratedJava plain = GeneratedJava.compile("gen.plain", "Model",
                JavaEmitter.source(original, "gen.plain", "Model"), dir.resolve("plain"));
        Object reference = plain.load(WeightsFile.write(original));
        float[] image = new float[784];
        for (int i = 0; i < image.length; i++) {
            image[i] = (i * 37 % 101) / 100f;
        }
        assertThat(java.predict(model, image)).containsExactly(plain.predict(reference, image));
    }

    @Test
    void refusesCorruptedTruncatedAndForeignContainers(@TempDir Path dir) throws Throwable {
        Graph graph = JavaEmitterTest.graph("fmnist_lenet300_100");
        GeneratedJava java = GeneratedJava.compile("gen.corrupt", "Model",
                JavaEmitter.source(graph, "gen.corrupt", "Model"), dir);
        byte[] good = WeightsFile.write(graph);
        assertThat(java.load(good)).isNotNull();

        assertRefused(java, new byte[0], "truncated: 0 bytes");
        assertRefused(java, Arrays.copyOf(good, good.length - 1000), "truncated: the header says " + good.length);
        assertRefused(java, Arrays.copyOf(good, good.length + 3), "trailing bytes");
        byte[] magic = good.clone();
        magic[1] = 'X';
        assertRefused(java, magic, "bad magic");
        byte[] header = good.clone();
        header[12] ^= 1;
        assertRefused(java, header, "header checksum mismatch");
        byte[] payload = good.clone();
        payload[good.length / 2] ^= 0x10;
        assertRefused(java, payload, "checksum mismatch");
        byte[] last = good.clone();
        last[good.length - 1] ^= 1;
        assertRefused(java, last, "file checksum mismatch");

        byte[] foreign = WeightsFile.write(JavaEmitterTest.graph("fmnist_lenet5"));
        assertRefused(java, foreign, "written for another model");

        assertThatThrownBy(() -> java.predict(java.load(good), new float[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected an input of 784 floats, got 3");
    }

    private static void assertRefused(GeneratedJava java, byte[] file, String message) {
        assertThatThrownBy(() -> java.load(file))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("corrupt weights container: ")
                .hasMessageContaining(message);
    }

    @Test
    void refusesOtherOperatorsAndRepresentations() {
        Graph graph = JavaEmitterTest.graph("fmnist_lenet300_100");
        List<Node> nodes = new ArrayList<>(graph.nodes());
        int relu = nodes.indexOf(graph.nodesOfType("Relu").get(0));
        Node r = nodes.get(relu);
        nodes.set(relu, new Node(r.name(), "Sigmoid", r.inputs(), r.outputs(), r.attributes()));
        Graph sigmoid = new Graph(graph.name(), graph.opsetVersion(), graph.inputs(), graph.outputs(), nodes,
                graph.weights(), graph.values());
        assertThatThrownBy(() -> JavaEmitter.source(sigmoid, "p", "M"))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("layer " + r.name() + " (Sigmoid) is a Sigmoid");

        Map<String, Weight> weights = new LinkedHashMap<>(graph.weights());
        Weight bias = weights.values().stream().filter(w -> w.representation().dims().length == 1).findFirst()
                .orElseThrow();
        int[] dims = bias.representation().dims();
        int n = (int) bias.elementCount();
        weights.put(bias.name(), new Weight(bias.name(), new Codebook(dims, 1, new float[] {0f, 1f}, new int[n])));
        Graph codebook = new Graph(graph.name(), graph.opsetVersion(), graph.inputs(), graph.outputs(),
                graph.nodes(), weights, graph.values());
        assertThatThrownBy(() -> JavaEmitter.source(codebook, "p", "M"))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("reads weight " + bias.name() + " stored as codebook")
                .hasMessageContaining("only the weight of a Gemm or Conv may be compressed");

        assertThatThrownBy(() -> JavaEmitter.source(graph, "p", "class"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid class name");
        assertThatThrownBy(() -> JavaEmitter.source(graph, "a.b;c", "M"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid Java package name");
    }
}
