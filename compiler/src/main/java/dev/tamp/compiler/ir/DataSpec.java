package dev.tamp.compiler.ir;

import dev.tamp.compiler.source.SourceSpan;
import java.nio.file.Path;

/** The recipe's data set: where it is (resolved against the recipe's folder) and how to read and split it. */
public record DataSpec(String name, Path path, Settings settings, SourceSpan span) {}
