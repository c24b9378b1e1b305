package dev.tamp.compiler.ir;

import dev.tamp.compiler.source.SourceSpan;

/** What code to generate: the language and its resolved options (package, class, SIMD). */
public record EmitSpec(String language, Settings settings, SourceSpan span) {}
