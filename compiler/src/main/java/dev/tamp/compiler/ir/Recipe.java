package dev.tamp.compiler.ir;

import dev.tamp.compiler.source.SourceFile;
import dev.tamp.compiler.source.SourceSpan;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A checked recipe: every path resolved, every option typed and in canonical units, pass requests in source order
 * (later statements override earlier ones for the layers they share; see {@code Overrides}).
 */
public record Recipe(
        String name,
        SourceFile file,
        SourceSpan span,
        Path model,
        SourceSpan modelSpan,
        Optional<DataSpec> data,
        Optional<TargetSpec> target,
        List<Budget> budgets,
        long seed,
        List<PassRequest> passes,
        Optional<EmitSpec> emit) {

    public Recipe {
        budgets = List.copyOf(budgets);
        passes = List.copyOf(passes);
    }
}
