package dev.tamp.bench;

import dev.tamp.compiler.Frontend;
import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.sema.FileKind;
import dev.tamp.compiler.source.SourceFile;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time for the front end (lex, parse, AST, semantic checks) on a 10,000-line recipe in a warm JVM, valid and with a
 * mistake in every tenth statement (the LL fallback and recovery path). Run from the repository root, since the
 * recipe's paths are relative to it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CheckBenchmark {
    @Param({"10000"})
    int lines;

    @Param({"false", "true"})
    boolean errors;

    SourceFile source;

    @Setup
    public void generate() {
        Path at = Path.of("large.recipe").toAbsolutePath();
        source = SourceFile.at(at, "large.recipe", LargeRecipe.generate(lines, errors));
    }

    @Benchmark
    public Diagnostics check() {
        Diagnostics diagnostics = new Diagnostics();
        new Frontend(diagnostics).check(source, FileKind.RECIPE);
        if (diagnostics.hasErrors() != errors) {
            throw new IllegalStateException("unexpected result: " + diagnostics.errorCount() + " errors");
        }
        return diagnostics;
    }
}
