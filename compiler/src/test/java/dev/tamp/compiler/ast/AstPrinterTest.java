package dev.tamp.compiler.ast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.parse.AstBuilder;
import dev.tamp.compiler.parse.ParsedFile;
import dev.tamp.compiler.parse.Parsing;
import dev.tamp.compiler.source.SourceFile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The printer must ignore layout and spans but tell apart every difference in structure. */
class AstPrinterTest {

    private static String print(String text) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        SourceFile file = SourceFile.of("t.recipe", text);
        ParsedFile parsed = Parsing.parse(file, diagnostics::add);
        CompilationUnit unit = AstBuilder.build(file, parsed.tree().orElseThrow(), diagnostics::add);
        assertThat(diagnostics).as("diagnostics for %s", text).isEmpty();
        return AstPrinter.print(unit);
    }

    private static String option(String value) {
        return print("recipe r { prune * { x " + value + " } }");
    }

    @Test
    void printsStructureOnly() {
        assertThat(print("recipe r {\n\n  budget   { size <= 40 KB }  // c\n  prune conv* except #2 { m \"a\\tb\" }\n}"))
                .isEqualTo(print("recipe r { budget { size<=40 KB }; prune conv* except #2 { m \"a\\tb\" } }"))
                .isEqualTo("""
                        (unit
                          (recipe r
                            (budget
                              (entry size <= (absolute (quantity 40 KB))))
                            (prune (selector (include (glob "conv*")) (except (position 2))) (block
                              (option m (text "a\\u0009b"))))))
                        """);
    }

    @Test
    void tellsApartEveryForm() {
        List<String> forms = List.of(
                option("1/2"), option("1:2"), option("1x2"), option("1 .. 2"), option("auto in 1 .. 2"),
                option("{1, 2}"), option("{2, 1}"), option("auto in {1, 2}"), option("auto"), option("{ a 1 }"),
                option("-1"), option("1"), option("1 %"), option("1 KB"), option("1 KiB"), option("\"1\""),
                option("one"), option("\"one\""),
                print("recipe r { prune a }"), print("recipe r { prune \"a\" }"), print("recipe r { prune type a }"),
                print("recipe r { prune re\"a\" }"), print("recipe r { prune * }"), print("recipe r { quantize * }"),
                print("recipe r { budget { a >= baseline - 1 % } }"), print("recipe r { budget { a >= baseline + 1 % } }"),
                print("recipe r { budget { a >= baseline } }"), print("recipe r { budget { a > baseline } }"),
                print("recipe r { target t }"), print("recipe r { target \"t\" }"),
                print("recipe r { data d }"), print("recipe r { data \"d\" }"), print("target r { a 1 }"));
        assertThat(forms).doesNotHaveDuplicates();
    }
}
