package dev.tamp.compiler.parse;

import dev.tamp.compiler.source.SourceFile;
import dev.tamp.grammar.RecipeParser;
import java.util.Optional;
import org.antlr.v4.runtime.CommonTokenStream;

/**
 * A file after lexing and parsing: its tokens (all channels, for the formatter), its parse tree (absent only when
 * the file was refused before parsing, as for runaway nesting) and how many lexical and syntax errors it had. A tree
 * with errors holds the statements that parsed, for checking what can be checked.
 */
public record ParsedFile(SourceFile source, CommonTokenStream tokens, Optional<RecipeParser.CompilationUnitContext> tree,
                         int errorCount) {
    public boolean isClean() {
        return tree.isPresent() && errorCount == 0;
    }
}
