package dev.tamp.ide.lsp;

import static dev.tamp.ide.lsp.LspHarness.labels;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.Frontend;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.schema.Schemas;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.DefinitionParams;
import org.eclipse.lsp4j.DiagnosticSeverity;
import org.eclipse.lsp4j.DocumentFormattingParams;
import org.eclipse.lsp4j.FormattingOptions;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The language server driven over its protocol: diagnostics, completion, formatting, definition and hover. */
class TampLanguageServerTest {
    @TempDir
    Path temp;

    static final String RECIPE = """
            recipe r {
              model "m.onnx"
              prune fc1 { sparsty 50 % }
            }
            """;

    @Test
    void publishesTheFrontEndsDiagnosticsWithLspRanges() throws Exception {
        Path file = temp.resolve("typo.recipe");
        Files.writeString(file, RECIPE);
        Files.copy(Path.of("../models/fmnist_lenet5.onnx"), temp.resolve("m.onnx"));
        Diagnostics expected = new Diagnostics();
        new Frontend(expected).check(file, file.toString());
        Diagnostic first = expected.sorted().get(0);

        try (LspHarness lsp = new LspHarness(LayerCatalog.NONE)) {
            var published = lsp.open(file, RECIPE).getDiagnostics();
            assertThat(published).hasSize(expected.sorted().size());
            var d = published.get(0);
            assertThat(d.getCode().getLeft()).isEqualTo(first.code().code()).isEqualTo("E2001");
            assertThat(d.getMessage()).startsWith(first.message() + "\n").contains("help: did you mean `sparsity`?");
            assertThat(d.getSeverity()).isEqualTo(DiagnosticSeverity.Error);
            assertThat(d.getSource()).isEqualTo("tamp");
            assertThat(d.getRange().getStart()).isEqualTo(new Position(2, 14));
            assertThat(d.getRange().getEnd()).isEqualTo(new Position(2, 21));
            assertThat(lsp.shutdown()).isZero();
        }
    }

    @Test
    void publishesProblemsOfAReferencedTargetInItsOwnFileAndClearsThemWhenTheReferenceGoes() throws Exception {
        Path recipe = temp.resolve("uses.recipe");
        Path target = Files.writeString(temp.resolve("bad.target"), "target bad {\n  cores 0\n}\n");
        Files.copy(Path.of("../models/fmnist_lenet5.onnx"), temp.resolve("m.onnx"));
        String text = "recipe r {\n  model \"m.onnx\"\n  target \"bad.target\"\n}\n";
        Diagnostics expected = new Diagnostics();
        new Frontend(expected).check(Files.writeString(recipe, text), recipe.toString());
        List<Diagnostic> inTarget = expected.sorted().stream().filter(d -> d.file().name().endsWith("bad.target")).toList();
        assertThat(inTarget).isNotEmpty();

        try (LspHarness lsp = new LspHarness(LayerCatalog.NONE)) {
            lsp.open(recipe, text);
            var there = lsp.diagnostics.poll(30, TimeUnit.SECONDS);
            assertThat(there.getUri()).isEqualTo(LspHarness.uri(target));
            assertThat(there.getDiagnostics()).extracting(d -> d.getCode().getLeft())
                    .containsExactlyElementsOf(inTarget.stream().map(d -> d.code().code()).toList());
            assertThat(there.getDiagnostics().get(0).getRange().getStart())
                    .isEqualTo(new Position(inTarget.get(0).span().line() - 1, inTarget.get(0).span().column() - 1));

            lsp.server.getTextDocumentService().didChange(new org.eclipse.lsp4j.DidChangeTextDocumentParams(
                    new org.eclipse.lsp4j.VersionedTextDocumentIdentifier(LspHarness.uri(recipe), 2),
                    List.of(new org.eclipse.lsp4j.TextDocumentContentChangeEvent("recipe r {\n  model \"m.onnx\"\n}\n"))));
            assertThat(lsp.diagnostics.poll(30, TimeUnit.SECONDS).getUri()).isEqualTo(LspHarness.uri(recipe));
            var cleared = lsp.diagnostics.poll(30, TimeUnit.SECONDS);
            assertThat(cleared.getUri()).isEqualTo(LspHarness.uri(target));
            assertThat(cleared.getDiagnostics()).isEmpty();
        }
    }

    @Test
    void completesShippedTargetsAndEmitLanguages() throws Exception {
        Path file = temp.resolve("s.recipe");
        try (LspHarness lsp = new LspHarness(LayerCatalog.NONE)) {
            lsp.open(file, "recipe r {\n  target \n  emit \n}\n");
            assertThat(labels(lsp.complete(file, 1, 9))).contains("raspberry-pi4", "x86-avx2-laptop");
            assertThat(labels(lsp.complete(file, 2, 7))).containsExactly("java");
        }
    }

    @Test
    void columnsCountUtf16UnitsAsTheProtocolSays() {
        TextPositions p = new TextPositions("a😀b\r\ncd\re");
        assertThat(p.position(2)).isEqualTo(new Position(0, 3));
        assertThat(p.position(5)).isEqualTo(new Position(1, 0));
        assertThat(p.position(8)).isEqualTo(new Position(2, 0));
        assertThat(p.offset(new Position(0, 3))).isEqualTo(2);
        assertThat(p.offset(new Position(2, 1))).isEqualTo(9);
        assertThat(p.end()).isEqualTo(new Position(2, 1));
        assertThat(p.offset(new Position(0, 99))).as("past the line's end").isEqualTo(3);
        assertThat(p.offset(new Position(99, 0))).as("past the last line").isEqualTo(8);
    }

    @Test
    void completesQuantizeMethodsOptionsKeywordsAndUnits() throws Exception {
        Path file = temp.resolve("c.recipe");
        String text = "recipe r {\n  quantize * { method  }\n  prune fc1 { sparsity 50  }\n  \n}\n";
        try (LspHarness lsp = new LspHarness(LayerCatalog.NONE)) {
            lsp.open(file, text);
            assertThat(labels(lsp.complete(file, 1, 22))).containsExactlyElementsOf(Schemas.QUANTIZE.methods());
            assertThat(labels(lsp.complete(file, 1, 15))).contains("method", "bits", "granularity").doesNotContain("sparsity");
            assertThat(labels(lsp.complete(file, 2, 26))).containsExactly("%");
            assertThat(labels(lsp.complete(file, 3, 2)))
                    .contains("model", "data", "target", "seed", "budget", "emit", "prune", "quantize", "distill");
            assertThat(labels(lsp.complete(file, 0, 0))).containsExactly("recipe", "target");
        }
        Path commented = temp.resolve("comments.recipe");
        String inText = "recipe r {\n  // prune \n  model \"a b\"\n  /* x */ \n}\n";
        try (LspHarness lsp = new LspHarness(LayerCatalog.NONE)) {
            lsp.open(commented, inText);
            assertThat(lsp.complete(commented, 1, 11)).as("end of a line comment").isEmpty();
            assertThat(lsp.complete(commented, 1, 5)).as("inside a line comment").isEmpty();
            assertThat(lsp.complete(commented, 2, 11)).as("inside a string").isEmpty();
            assertThat(labels(lsp.complete(commented, 3, 10))).as("after a block comment").contains("model", "prune");
        }
    }

    @Test
    void completesOptionsInsideNestedTargetGroupsAndUnitsOfTheirDimension() throws Exception {
        Path file = temp.resolve("t.target");
        String text = "target t {\n  memory {\n    bandwidth 4 \n    \n  }\n}\n";
        try (LspHarness lsp = new LspHarness(LayerCatalog.NONE)) {
            lsp.open(file, text);
            assertThat(labels(lsp.complete(file, 2, 16))).containsExactly("KB/s", "MB/s", "GB/s");
            assertThat(labels(lsp.complete(file, 3, 4))).containsExactly("bandwidth", "l1", "l2", "l3");
            assertThat(labels(lsp.complete(file, 1, 2))).contains("cores", "simd", "peak", "memory", "limits");
        }
    }

    @Test
    void completesAndHoversLayerNamesFromTheCatalogOfTheRecipesModel() throws Exception {
        Path file = temp.resolve("l.recipe");
        Path model = temp.resolve("net.onnx");
        LayerCatalog fake = m -> m.equals(model)
                ? List.of(new LayerCatalog.Layer("conv1", "Conv 1x6x5x5, 156 params, 117 600 MACs"),
                          new LayerCatalog.Layer("fc1", "Gemm 120x400, 48 120 params, 48 000 MACs"))
                : List.of();
        String text = "recipe r {\n  model \"net.onnx\"\n  prune \n}\n";
        Path other = temp.resolve("l2.recipe");
        String more = "recipe r {\n  model \"net.onnx\"\n  quantize conv1, \n  prune * except \n}\n";
        Path valid = temp.resolve("l3.recipe");
        String hovered = "recipe r {\n  model \"net.onnx\"\n  prune conv1, fc1\n}\n";
        try (LspHarness lsp = new LspHarness(fake)) {
            lsp.open(file, text);
            assertThat(labels(lsp.complete(file, 2, 8))).containsExactly("conv1", "fc1");
            lsp.open(other, more);
            assertThat(labels(lsp.complete(other, 2, 18))).containsExactly("conv1", "fc1");
            assertThat(labels(lsp.complete(other, 3, 17))).containsExactly("conv1", "fc1");
            lsp.open(valid, hovered);
            var hover = lsp.server.getTextDocumentService()
                    .hover(new HoverParams(new TextDocumentIdentifier(LspHarness.uri(valid)), new Position(2, 16)))
                    .get(30, TimeUnit.SECONDS);
            assertThat(hover.getContents().getRight().getValue()).isEqualTo("**fc1**: Gemm 120x400, 48 120 params, 48 000 MACs");
        }
        try (LspHarness lsp = new LspHarness(LayerCatalog.NONE)) {
            lsp.open(file, text);
            assertThat(lsp.complete(file, 2, 8)).isEmpty();
        }
        Path whole = temp.resolve("l4.recipe");
        try (LspHarness lsp = new LspHarness(fake)) {
            lsp.open(whole, "recipe r {\n  model \"net.onnx\"\n  finetune \n}\n");
            assertThat(lsp.complete(whole, 2, 11)).as("finetune applies to the whole model").isEmpty();
        }
    }

    @Test
    void completesTheLayersOfARealModelAndHoversTheirShapes() throws Exception {
        Path file = temp.resolve("lenet.recipe");
        Files.copy(Path.of("../models/fmnist_lenet5.onnx"), temp.resolve("lenet5.onnx"));
        String text = "recipe r {\n  model \"lenet5.onnx\"\n  prune \n  quantize fc1\n}\n";
        try (LspHarness lsp = new LspHarness(new ModelLayerCatalog())) {
            lsp.open(file, text);
            assertThat(labels(lsp.complete(file, 2, 8))).containsExactly("conv1", "conv2", "fc1", "fc2");
            var hover = lsp.server.getTextDocumentService()
                    .hover(new HoverParams(new TextDocumentIdentifier(LspHarness.uri(file)), new Position(3, 12)))
                    .get(30, TimeUnit.SECONDS);
            assertThat(hover.getContents().getRight().getValue())
                    .isEqualTo("**fc1**: Gemm `/fc1/Gemm` (#6): [Nx800] → [Nx500], 400,500 params, 400,000 MACs");
        }
    }

    @Test
    void hoversOptionsPassFamiliesAndBudgetMetricsWithTheirSchemaDocs() throws Exception {
        Path file = temp.resolve("h.recipe");
        String text = "recipe r {\n  prune fc1 { sparsity 50 % }\n  budget { size <= 40 KB }\n}\n";
        try (LspHarness lsp = new LspHarness(LayerCatalog.NONE)) {
            lsp.open(file, text);
            var id = new TextDocumentIdentifier(LspHarness.uri(file));
            var option = lsp.server.getTextDocumentService().hover(new HoverParams(id, new Position(1, 16)))
                    .get(30, TimeUnit.SECONDS);
            assertThat(option.getContents().getRight().getValue())
                    .startsWith("**sparsity**: " + Schemas.PRUNE.option("sparsity").orElseThrow().doc())
                    .contains("default `auto`");
            assertThat(option.getRange().getStart()).isEqualTo(new Position(1, 14));
            var pass = lsp.server.getTextDocumentService().hover(new HoverParams(id, new Position(1, 3)))
                    .get(30, TimeUnit.SECONDS);
            assertThat(pass.getContents().getRight().getValue()).isEqualTo("**prune**: " + Schemas.PRUNE.summary());
            var metric = lsp.server.getTextDocumentService().hover(new HoverParams(id, new Position(2, 12)))
                    .get(30, TimeUnit.SECONDS);
            assertThat(metric.getContents().getRight().getValue()).startsWith("**size**: Stored weights");
            var value = lsp.server.getTextDocumentService().hover(new HoverParams(id, new Position(1, 25)))
                    .get(30, TimeUnit.SECONDS);
            assertThat(value).isNull();
        }
    }

    @Test
    void formatsThroughTheFormatterOnlyWhenTheFileParses() throws Exception {
        Path file = temp.resolve("f.recipe");
        Path broken = temp.resolve("b.recipe");
        String messy = "recipe   r {\n model \"m.onnx\"\n  prune fc1 {sparsity 50 %;method magnitude}\n}\n";
        try (LspHarness lsp = new LspHarness(LayerCatalog.NONE)) {
            lsp.open(file, messy);
            var edits = lsp.server.getTextDocumentService().formatting(new DocumentFormattingParams(
                    new TextDocumentIdentifier(LspHarness.uri(file)), new FormattingOptions(2, true)))
                    .get(30, TimeUnit.SECONDS);
            var parsed = dev.tamp.compiler.parse.Parsing.parse(
                    dev.tamp.compiler.source.SourceFile.of("f.recipe", messy), d -> {});
            assertThat(edits).hasSize(1);
            assertThat(edits.get(0).getNewText()).isEqualTo(dev.tamp.compiler.format.Formatter.format(parsed))
                    .isNotEqualTo(messy);
            assertThat(edits.get(0).getRange().getEnd()).isEqualTo(new Position(4, 0));

            lsp.open(broken, "recipe r {\n  prune {{\n");
            assertThat(lsp.server.getTextDocumentService().formatting(new DocumentFormattingParams(
                    new TextDocumentIdentifier(LspHarness.uri(broken)), new FormattingOptions(2, true)))
                    .get(30, TimeUnit.SECONDS)).isEmpty();
        }
    }

    @Test
    void goesToTheModelAndTargetFilesRelativeToTheDocument() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("recipes"));
        Path file = dir.resolve("g.recipe");
        Path model = Files.writeString(temp.resolve("m.onnx"), "x");
        Path target = Files.writeString(temp.resolve("t.target"), "target t { cores 1 }\n");
        String text = "recipe r {\n  model \"../m.onnx\"\n  target \"../t.target\"\n}\n";
        try (LspHarness lsp = new LspHarness(LayerCatalog.NONE)) {
            lsp.open(file, text);
            var id = new TextDocumentIdentifier(LspHarness.uri(file));
            var toModel = lsp.server.getTextDocumentService().definition(new DefinitionParams(id, new Position(1, 12)))
                    .get(30, TimeUnit.SECONDS).getLeft();
            var toTarget = lsp.server.getTextDocumentService().definition(new DefinitionParams(id, new Position(2, 12)))
                    .get(30, TimeUnit.SECONDS).getLeft();
            var nowhere = lsp.server.getTextDocumentService().definition(new DefinitionParams(id, new Position(0, 2)))
                    .get(30, TimeUnit.SECONDS).getLeft();
            assertThat(toModel).singleElement().satisfies(l -> assertThat(Path.of(java.net.URI.create(l.getUri()))).isEqualTo(model));
            assertThat(toTarget).singleElement().satisfies(l -> assertThat(Path.of(java.net.URI.create(l.getUri()))).isEqualTo(target));
            assertThat(nowhere).isEmpty();
        }
    }
}
