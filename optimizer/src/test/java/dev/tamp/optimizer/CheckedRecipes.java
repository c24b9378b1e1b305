package dev.tamp.optimizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.Frontend;
import dev.tamp.compiler.diag.DiagnosticRenderer;
import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.compiler.sema.FileKind;
import dev.tamp.compiler.source.SourceFile;
import java.nio.file.Path;

/** Recipes for tests, checked by the real front end against a bundled model; any error fails the test. */
public final class CheckedRecipes {
    private CheckedRecipes() {}

    /** {@code recipe r} on {@code models/<model>.onnx} with Fashion-MNIST as data and these statements. */
    public static Recipe recipe(String model, String body) {
        String text = "recipe r {\n  model \"../models/" + model + ".onnx\"\n  data d \"../data/fashion-mnist\"\n"
                + body + "\n}\n";
        Diagnostics diagnostics = new Diagnostics();
        var checked = new Frontend(diagnostics).check(SourceFile.at(Path.of("r.recipe").toAbsolutePath(), "r.recipe",
                text), FileKind.RECIPE);
        StringBuilder rendered = new StringBuilder();
        diagnostics.sorted().forEach(d -> rendered.append(DiagnosticRenderer.render(d)));
        assertThat(diagnostics.hasErrors()).as(rendered.toString()).isFalse();
        return checked.declared().recipes().get(0);
    }
}
