package dev.tamp.compiler.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.grammar.RecipeLexer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.antlr.v4.runtime.Token;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Layout changes that keep the meaning of a file (other blanks, extra blank lines, CRLF, comments between any two
 * tokens) must not change what the formatter keeps: the tree and the comments; and its output must be a fixed point.
 * Seeds are fixed so a failure reproduces.
 */
class FormatterPerturbationTest {
    private static final int VARIANTS = 100;

    static List<Path> files() {
        return FormatterPropertiesTest.files();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void perturbedLayoutFormatsToAFixedPointWithTheSameTreeAndComments(Path file) {
        String source = FormatTesting.read(file);
        String tree = FormatTesting.ast(file.toString(), source);
        for (int seed = 0; seed < VARIANTS; seed++) {
            String variant = perturb(file.toString(), source, new Random(seed));
            String name = file + " (variant " + seed + ")";
            String formatted = FormatTesting.format(name, variant);
            assertThat(FormatTesting.ast(name + " formatted", formatted)).as("tree of %s", name).isEqualTo(tree);
            assertThat(FormatTesting.comments(name + " formatted", formatted)).as("comments of %s", name)
                    .containsExactlyElementsOf(FormatTesting.comments(name, variant));
            assertThat(FormatTesting.format(name + " formatted", formatted)).as("%s formatted twice\n--- variant ---\n%s",
                    name, variant).isEqualTo(formatted);
        }
    }

    /**
     * Rewrites the blanks between tokens, adds block comments anywhere, and line comments and line breaks where the
     * grammar takes a newline: at the end of a line, after <code>&#123;</code>, {@code ,} and {@code ..}.
     */
    private static String perturb(String name, String source, Random random) {
        boolean crlf = random.nextInt(4) == 0;
        StringBuilder out = new StringBuilder();
        List<Token> tokens = FormatTesting.parseClean(name, source).tokens().getTokens();
        for (Token t : tokens) {
            int type = t.getType();
            if (type == Token.EOF) {
                break;
            }
            if (type == RecipeLexer.WS) {
                out.append(random.nextBoolean() ? " " : random.nextBoolean() ? "\t" : "   ");
            } else if (type == RecipeLexer.NL) {
                if (random.nextInt(5) == 0) {
                    out.append("  // c").append(random.nextInt(100));
                }
                out.append(crlf ? "\r\n" : "\n");
                if (random.nextInt(6) == 0) {
                    out.append(crlf ? "\r\n" : "\n");
                }
            } else {
                out.append(type == RecipeLexer.BLOCK_COMMENT ? t.getText().replace("\n", crlf ? "\r\n" : "\n") : t.getText());
            }
            boolean lineMayContinue = type == RecipeLexer.LBRACE || type == RecipeLexer.COMMA || type == RecipeLexer.DOTDOT;
            if (lineMayContinue && random.nextInt(5) == 0) {
                out.append(random.nextBoolean() ? " // n" + random.nextInt(100) : "").append(crlf ? "\r\n" : "\n");
            } else if (type != RecipeLexer.WS && type != RecipeLexer.LINE_COMMENT && random.nextInt(12) == 0) {
                // Glued to the token when that cannot make `//` (after the `/` of a fraction).
                boolean glued = random.nextBoolean() && type != RecipeLexer.SLASH;
                out.append(glued ? "/*x*/" : " /* b" + random.nextInt(100) + " */ ");
            }
        }
        return out.toString();
    }
}
