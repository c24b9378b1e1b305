package dev.tamp.cli;

import static dev.tamp.cli.CheckCommandTest.tamp;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped recipes: {@code examples/} and {@code bench/recipes/} are in the canonical layout ({@code tamp fmt
 * --check}), every reference model has an example for at least two targets, and the cheap examples compile.
 * ({@link CheckCommandTest} checks them all; .ci/run compiles the README's main job.)
 */
class ExamplesTest {
    private static final Pattern MODEL = Pattern.compile("(?m)^\\s*model\\s+\"[^\"]*/([^/\"]+)\\.onnx\"");
    private static final Pattern TARGET = Pattern.compile("(?m)^\\s*target\\s+(\\S+)");

    @TempDir
    Path temp;

    private static List<Path> recipes(String dir) throws IOException {
        try (Stream<Path> list = Files.list(Path.of(dir))) {
            return list.filter(p -> p.toString().endsWith(".recipe")).sorted().toList();
        }
    }

    @Test
    void examplesAndBenchRecipesAreFormatted() throws IOException {
        List<String> args = new ArrayList<>(List.of("fmt", "--check"));
        recipes("../examples").forEach(p -> args.add(p.toString()));
        recipes("../bench/recipes").forEach(p -> args.add(p.toString()));
        CheckCommandTest.Run run = tamp(args.toArray(String[]::new));
        assertThat(run.code()).as(run.out() + run.err()).isZero();
    }

    @Test
    void everyReferenceModelHasExamplesForAtLeastTwoTargets() throws IOException {
        Map<String, Set<String>> targets = new TreeMap<>();
        for (Path p : recipes("../examples")) {
            String text = Files.readString(p);
            Matcher model = MODEL.matcher(text);
            Matcher target = TARGET.matcher(text);
            if (model.find() && target.find()) {
                targets.computeIfAbsent(model.group(1), m -> new TreeSet<>()).add(target.group(1));
            }
        }
        assertThat(targets).containsOnlyKeys("fmnist_lenet300_100", "fmnist_lenet5", "fmnist_resnet8");
        targets.forEach((model, ts) -> assertThat(ts).as(model).hasSizeGreaterThanOrEqualTo(2));
    }

    /** The LeNet-300-100 example for the Android Go phone: planned, fine-tuned, generated, in well under a minute. */
    @Test
    void theAndroidGoExampleCompilesWithinItsBudgets() throws IOException {
        Path out = temp.resolve("out");
        CheckCommandTest.Run run = tamp("compile", "../examples/lenet300-android-go.recipe", "-o", out.toString(),
                "--quiet");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("generated Java: com.example.fashion.Lenet300Go").doesNotContain("MISSES");
        assertThat(out.resolve("java/com/example/fashion/Lenet300Go.java")).exists();
        assertThat(out.resolve("frontier.svg")).exists();
    }
}
