package dev.tamp.codegen.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.compiler.schema.OptionChecker;
import dev.tamp.compiler.schema.Schemas;
import dev.tamp.compiler.source.SourceSpan;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.pass.CorePasses;
import dev.tamp.optimizer.pass.Pass;
import dev.tamp.optimizer.pass.PassContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The three reference models, as imported and after real passes, through the container and back. */
class RealModelsTest {
    private static final Optional<SourceSpan> GIVEN = Optional.of(SourceSpan.point(1, 1, 0));

    static Path model(String name) {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("models/README.md"))) {
            p = p.getParent();
        }
        assertThat(p).as("repository root").isNotNull();
        return p.resolve("models").resolve(name + ".onnx");
    }

    /** Settings as a recipe would resolve them (explicit options merged with the schema's defaults). */
    static Settings settings(PassKind family, Object... namesAndValues) {
        Map<String, Setting> explicit = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            Object v = namesAndValues[i + 1];
            explicit.put((String) namesAndValues[i], v instanceof String w ? new Setting.Word(w, GIVEN)
                    : new Setting.Num(((Number) v).doubleValue(), GIVEN));
        }
        return OptionChecker.merge(Schemas.pass(family), List.of(new Settings(explicit)));
    }

    static Model apply(Pass pass, Model model, PassKind family, Settings s) {
        // Structure passes apply to fully connected layers only.
        List<String> ops = family == PassKind.STRUCTURE ? List.of("Gemm", "MatMul") : List.of("Conv", "Gemm", "MatMul");
        Map<String, Settings> layers = new LinkedHashMap<>();
        for (Node n : model.graph().nodes()) {
            if (ops.contains(n.opType())) {
                layers.put(n.name(), s);
            }
        }
        return pass.apply(model, new PassContext(42, Map.of(family, layers)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fmnist_lenet300_100", "fmnist_lenet5", "fmnist_resnet8"})
    void roundTripsAfterRealPasses(String name) {
        Model dense = OnnxImporter.withDefaults().load(model(name));
        Model pruned = apply(CorePasses.PRUNE_MAGNITUDE, dense, PassKind.PRUNE,
                settings(PassKind.PRUNE, "method", "magnitude", "sparsity", 0.8));
        Model shared = apply(CorePasses.SHARE_WEIGHTS, pruned, PassKind.QUANTIZE,
                settings(PassKind.QUANTIZE, "method", "kmeans", "bits", 5, "init", "linear", "iterations", 5));
        Model huffman = apply(CorePasses.ENCODE_HUFFMAN, shared, PassKind.ENCODE,
                settings(PassKind.ENCODE, "method", "huffman"));
        Model int4 = apply(CorePasses.QUANTIZE_UNIFORM, dense, PassKind.QUANTIZE,
                settings(PassKind.QUANTIZE, "method", "uniform", "bits", 4));
        Model int4Huffman = apply(CorePasses.ENCODE_HUFFMAN, int4, PassKind.ENCODE,
                settings(PassKind.ENCODE, "method", "huffman"));
        Model codebook = apply(CorePasses.SHARE_WEIGHTS, dense, PassKind.QUANTIZE,
                settings(PassKind.QUANTIZE, "method", "kmeans", "bits", 4, "iterations", 5));
        Model blocks = apply(CorePasses.STRUCTURE_BLOCK_CIRCULANT, dense, PassKind.STRUCTURE,
                settings(PassKind.STRUCTURE, "method", "block-circulant", "block", 4));
        Set<String> kinds = new TreeSet<>();
        for (Model m : List.of(dense, pruned, shared, huffman, int4, int4Huffman, codebook, blocks)) {
            List<Weight> weights = new ArrayList<>(m.graph().weights().values());
            WeightsFileTest.roundTrip(name, weights);
            byte[] file = WeightsFile.write(m.graph());
            assertThat(WeightsFile.write(m.graph())).isEqualTo(file);
            weights.forEach(w -> kinds.add(w.representation().getClass().getSimpleName()));
        }
        assertThat(kinds).contains("Dense", "Sparse", "SparseCodebook", "HuffmanCoded", "AffineQuantized",
                "Codebook");
        System.out.println(name + ": container round trip of " + kinds);
    }
}
