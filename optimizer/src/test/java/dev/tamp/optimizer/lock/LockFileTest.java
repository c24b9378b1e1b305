package dev.tamp.optimizer.lock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.compiler.source.SourceFile;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.PropertyCases;
import dev.tamp.optimizer.RepoFiles;
import dev.tamp.optimizer.pass.PassContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The lock file's text: printed and parsed back to the same settings and the same text, every value exact, and a
 * damaged lock refused with E5001 at the line and column of the damage.
 */
class LockFileTest {
    private static final Graph LENET5 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_lenet5")).graph();
    private static final List<LockFile.Input> INPUTS = List.of(
            new LockFile.Input("recipe", "r.recipe", "0".repeat(64)),
            new LockFile.Input("model", "../models/fmnist_lenet5.onnx", "ab".repeat(32)),
            new LockFile.Input("data", "../data/fashion-mnist/train-images-idx3-ubyte.gz", "cd".repeat(32)));

    private static Recipe recipe(String body) {
        return dev.tamp.optimizer.CheckedRecipes.recipe("fmnist_lenet5", body);
    }

    /** Every kind of value the pass statements take, several passes and families, finetune and distill. */
    private static final String BODY = """
              seed 11
              prune conv1 { method magnitude; sparsity 85 %; schedule gradual; initial 12.5 % }
              prune conv2 { method magnitude; pattern 2:4 }
              prune fc1 { method obs; sparsity 92.5 %; pattern 4x4; samples 64 }
              quantize conv1, conv2 { method kmeans; bits 5; init density }
              quantize fc1 { method uniform; bits 8; symmetric no; granularity per-tensor }
              hash fc2 { buckets 12.5 % }
              quantize fc2 { method ternary }
              regularize fc2 { method l1; strength 3e-5 }
              encode { method huffman }
              finetune { epochs 2; lr 1e-4; optimizer sgd; momentum 95 % }
              distill { temperature 2 }
            """;

    private static LockFile lock(Recipe recipe) {
        Map<PassKind, Map<String, Settings>> layers = new java.util.EnumMap<>(PassKind.class);
        PassContext context = PassContext.forRecipe(recipe, LENET5);
        for (PassKind k : PassKind.values()) {
            if (!context.layers(k).isEmpty()) {
                layers.put(k, context.layers(k));
            }
        }
        return LockInputs.lock("0.1.0-test", recipe, INPUTS, LENET5, layers);
    }

    private static Optional<LockFile> parse(String text, List<Diagnostic> problems) {
        return LockParser.parse(SourceFile.of("tamp.lock", text), problems::add);
    }

    @Test
    void printedLocksParseBackToTheSameSettingsAndText() {
        Recipe recipe = recipe(BODY);
        LockFile lock = lock(recipe);
        String text = lock.render();
        List<Diagnostic> problems = new ArrayList<>();
        LockFile back = parse(text, problems).orElseThrow(() -> new AssertionError(problems));
        assertThat(back.render()).isEqualTo(text);
        assertThat(back.seed()).isEqualTo(11);
        assertThat(back.tool()).isEqualTo("0.1.0-test");
        assertThat(back.inputs()).extracting(LockFile.Input::sha256).containsExactlyElementsOf(
                INPUTS.stream().map(LockFile.Input::sha256).toList());

        // What the pipeline runs: the same settings per family and layer, in graph order, origins aside.
        Map<PassKind, Map<String, Settings>> before = lock.layers(LENET5);
        Map<PassKind, Map<String, Settings>> after = back.layers(LENET5);
        assertThat(after.keySet()).containsExactlyElementsOf(before.keySet());
        before.forEach((kind, byLayer) -> {
            assertThat(after.get(kind).keySet()).as(kind.keyword()).containsExactlyElementsOf(byLayer.keySet());
            byLayer.forEach((layer, settings) -> {
                assertThat(after.get(kind).get(layer).values()).as(kind + " " + layer).hasSameSizeAs(settings.values());
                settings.values().forEach((option, v) -> assertThat(withoutOrigin(after.get(kind).get(layer)
                        .get(option).orElseThrow())).as(option).isEqualTo(withoutOrigin(v)));
            });
        });
        assertThat(LockInputs.sameText(back.statement(PassKind.FINETUNE).orElseThrow().settings(),
                recipe.passes().stream().filter(p -> p.kind() == PassKind.FINETUNE).findFirst().orElseThrow()
                        .settings())).isTrue();

        // One pass on one layer per line, in the order the pipeline runs them; finetune and distill last.
        assertThat(text).contains("\n  prune-magnitude{layer=\"/conv1/Conv\" method=magnitude sparsity=85% "
                + "pattern=unstructured scope=layer schedule=gradual initial=12.5% steps=3}\n")
                .contains(" pattern=2:4 ").contains(" pattern=4x4 ").contains("sparsity=auto ")
                .contains("symmetric=false").contains("buckets=12.5%").contains("strength=0.00003")
                .contains("distill{temperature=2 teacher=original weight=50%}").contains("epochs=2 ");
        List<String> passes = text.lines().filter(l -> l.startsWith("  ")).map(l -> l.substring(2, l.indexOf('{')))
                .distinct().toList();
        assertThat(passes).containsExactly("regularize", "prune-magnitude", "prune-obs", "hash-weights",
                "quantize-uniform", "quantize-ternary", "share-weights", "encode-huffman", "finetune", "distill");
    }

    @Test
    void layerNamesWithQuotesAndControlCharactersReadBack() {
        String name = "a \"b\" \\ c\n\u00e9";
        String lock = "tamp-lock 1\ntamp \"x\"\nseed 1\nrecipe \"r\" sha256:" + "0".repeat(64) + "\nmodel \"m\" sha256:"
                + "0".repeat(64) + "\npipeline {\n  encode-huffman{layer=" + LockFile.quote(name) + " method=huffman}\n}\n";
        assertThat(lock).doesNotContain("c\n");
        List<Diagnostic> problems = new ArrayList<>();
        LockFile parsed = parse(lock, problems).orElseThrow(() -> new AssertionError(problems));
        assertThat(parsed.steps().get(0).layer()).contains(name);
        assertThat(parsed.render()).contains(LockFile.quote(name));
    }

    private static Setting withoutOrigin(Setting s) {
        return s instanceof Setting.Num n ? new Setting.Num(n.value(), Optional.empty(), n.fraction())
                : s instanceof Setting.Word w ? new Setting.Word(w.word(), Optional.empty())
                : s instanceof Setting.Flag f ? new Setting.Flag(f.value(), Optional.empty())
                : s instanceof Setting.Text t ? new Setting.Text(t.text(), Optional.empty())
                : s instanceof Setting.Ratio r ? new Setting.Ratio(r.n(), r.m(), Optional.empty())
                : s instanceof Setting.Shape sh ? new Setting.Shape(sh.dims(), Optional.empty())
                : s instanceof Setting.Auto a ? new Setting.Auto(a.low(), a.high(), a.choices(), Optional.empty()) : s;
    }

    /** Any finite number, as a plain number or as a percent, reads back to the very same double. */
    @TestFactory
    Stream<DynamicTest> numbersReadBackExactly() {
        return PropertyCases.forAll(5001, 400, gen -> {
            double v = Double.longBitsToDouble(gen.longs("bits"));
            return Double.isFinite(v) ? v : gen.doubles("finite", -1e6, 1e6);
        }, v -> {
            for (boolean fraction : new boolean[] {false, true}) {
                String text = LockFile.value(new Setting.Num(v, Optional.empty(), fraction));
                String lock = "tamp-lock 1\ntamp \"x\"\nseed 1\nrecipe \"r\" sha256:" + "0".repeat(64)
                        + "\nmodel \"m\" sha256:" + "0".repeat(64) + "\npipeline {\n  finetune{epochs=1 optimizer=adam "
                        + "lr=" + text + " momentum=90% weight-decay=0 schedule=cosine step=1 gamma=0.1 batch=128}\n}\n";
                List<Diagnostic> problems = new ArrayList<>();
                Optional<LockFile> parsed = parse(lock, problems);
                if (v > 0) {
                    Setting.Num back = (Setting.Num) parsed.orElseThrow(() -> new AssertionError(problems))
                            .statement(PassKind.FINETUNE).orElseThrow().settings().get("lr").orElseThrow();
                    assertThat(Double.doubleToLongBits(back.value())).as(text).isEqualTo(Double.doubleToLongBits(v));
                    assertThat(back.fraction()).isEqualTo(fraction);
                } else {
                    // lr must be positive: refused at the value, as the recipe checker would.
                    assertThat(problems).singleElement().satisfies(d -> assertThat(d.message())
                            .startsWith("`lr` is out of range"));
                }
            }
        });
    }

    /**
     * A lock damaged anywhere (characters deleted, doubled, replaced, the text cut) is read or refused with one E5001
     * inside the text, never an exception; what is read prints back to a lock that reads the same.
     */
    private static final String DAMAGE = "{}=\"%:x.-# \n0a\\[](";

    @TestFactory
    Stream<DynamicTest> damageAnywhereIsReadOrRefusedNeverThrown() {
        String text = lock(recipe(BODY)).render();
        return PropertyCases.forAll(5002, 300, gen -> {
            java.util.SplittableRandom r = new java.util.SplittableRandom(gen.longs("seed"));
            StringBuilder b = new StringBuilder(text);
            int edits = 1 + gen.ints("edits", 0, 3);
            for (int i = 0; i < edits && b.length() > 0; i++) {
                int at = r.nextInt(b.length());
                switch (r.nextInt(4)) {
                    case 0 -> b.deleteCharAt(at);
                    case 1 -> b.insert(at, b.charAt(at));
                    case 2 -> b.setCharAt(at, DAMAGE.charAt(r.nextInt(DAMAGE.length())));
                    default -> b.setLength(at);
                }
            }
            return b.toString();
        }, damaged -> {
            List<Diagnostic> problems = new ArrayList<>();
            Optional<LockFile> parsed = parse(damaged, problems);
            if (parsed.isPresent()) {
                assertThat(problems).isEmpty();
                String again = parsed.get().render();
                assertThat(parse(again, problems).map(LockFile::render)).contains(again);
            } else {
                assertThat(problems).singleElement().satisfies(d -> {
                    assertThat(d.code()).isEqualTo(DiagnosticCode.LOCK_MALFORMED);
                    assertThat(d.span().endOffset()).isLessThanOrEqualTo(damaged.codePointCount(0, damaged.length()));
                });
            }
        });
    }

    private static Diagnostic refused(String text) {
        List<Diagnostic> problems = new ArrayList<>();
        assertThat(parse(text, problems)).isEmpty();
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).code()).isEqualTo(DiagnosticCode.LOCK_MALFORMED);
        return problems.get(0);
    }

    @Test
    void aDamagedLockIsRefusedAtTheLineAndColumnOfTheDamage() {
        String text = lock(recipe(BODY)).render();
        String[] lines = text.split("\n", -1);
        int conv1 = 0;
        while (!lines[conv1].startsWith("  prune-magnitude{layer=\"/conv1/Conv\"")) {
            conv1++;
        }
        int column = lines[conv1].indexOf("sparsity=85%") + "sparsity=".length() + 1;

        Diagnostic garbled = refused(text.replace("sparsity=85%", "sparsity=85%%"));
        assertThat(garbled.span().line()).isEqualTo(conv1 + 1);
        assertThat(garbled.span().column()).isEqualTo(column + 3);
        assertThat(garbled.message()).isEqualTo("expected a space or `}` after a value, found `%`");

        assertThat(refused(text.replace("sparsity=85%", "sparsity=185%")).message())
                .isEqualTo("`sparsity` is out of range [0, 1)");
        assertThat(refused(text.replace("sparsity=85%", "sparsty=85%")).message())
                .isEqualTo("unknown option `sparsty` for `prune-magnitude`");
        assertThat(refused(text.replace(" initial=12.5%", "")).message())
                .isEqualTo("`prune-magnitude` lacks option `initial` (a lock states every option)");
        assertThat(refused(text.replace("layer=\"/conv1/Conv\" method=magnitude", "layer=\"/conv1/Conv\" method=obd"))
                .message()).isEqualTo("`method=obd` contradicts the pass `prune-magnitude`");
        assertThat(refused(text.replace("prune-magnitude{layer=\"/conv1/Conv\"", "prune-magnitud{layer=\"/conv1/Conv\""))
                .message()).isEqualTo("unknown pass `prune-magnitud`");
        assertThat(refused(text.replace("sha256:" + "ab".repeat(32), "sha256:" + "ab".repeat(31))).message())
                .isEqualTo("expected `sha256:` and 64 lower-case hexadecimal digits");

        // Cut anywhere in the pipeline, the lock ends early; the error points past its last character.
        Diagnostic cut = refused(text.substring(0, text.indexOf("\n  quantize-uniform") + 1));
        assertThat(cut.message()).startsWith("the lock file ends early: expected a pass");
        assertThat(refused(text.substring(0, text.length() / 2)).span().line()).isLessThanOrEqualTo(lines.length);
        assertThat(refused("tamp-lock 2\n").message()).isEqualTo("lock format 2 is not the format this tamp reads (1)");
        assertThat(refused("").message()).isEqualTo("the lock file ends early: expected `tamp-lock 1`");
    }
}
