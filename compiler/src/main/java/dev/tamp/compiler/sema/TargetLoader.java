package dev.tamp.compiler.sema;

import dev.tamp.compiler.ir.TargetSpec;
import dev.tamp.compiler.source.SourceFile;
import dev.tamp.compiler.source.SourceSpan;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Finds and checks the target spec a recipe refers to, reporting that file's own diagnostics. */
public interface TargetLoader {

    /** Loads the spec in a file; {@code from} and {@code at} locate the reference for "not found" errors. */
    Optional<TargetSpec> load(Path path, SourceFile from, SourceSpan at);

    /** Loads a spec shipped with tamp by name; empty if there is none (the caller reports it). */
    Optional<TargetSpec> bundled(String name, SourceFile from, SourceSpan at);

    /** Names of the specs shipped with tamp, for "did you mean". */
    List<String> bundledNames();
}
