package dev.tamp.cli;

import static dev.tamp.cli.CheckCommandTest.tamp;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A latency budget held to the generated code: on a target probed on this machine, {@code tamp compile} times the
 * Java each planned round emits and publishes only a plan whose measured latency meets the budget; on another
 * target the latency is predicted, and the plan says it was not measured.
 */
class LatencyBudgetTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern LATENCY = Pattern.compile(
            "latency\\s+<=\\s+(\\S+ \\S+)\\s+predicted (\\S+ \\S+)\\s+measured (\\S+ \\S+)\\s+(holds|MISSES)");

    @TempDir
    Path dir;

    private Path recipe(String target, String budget) throws IOException {
        Path file = dir.resolve("fast.recipe");
        Files.writeString(file, """
                recipe lenet5_fast {
                  model  "%s"
                  data   fashion "%s" { validation 500; scale 1/255 }
                  target %s
                  seed   3
                  budget {
                    %s
                  }
                  prune fc1 { method magnitude; sparsity auto in {50 %%, 95 %%} }
                  emit java { package "t.fast"; class "Fast" }
                }
                """.formatted(REPO.resolve("models/fmnist_lenet5.onnx"), REPO.resolve("data/fashion-mnist"), target,
                budget), StandardCharsets.UTF_8);
        return file;
    }

    private static double micros(String value) {
        String[] p = value.split(" ");
        return Double.parseDouble(p[0].replace(",", "")) * (p[1].equals("ms") ? 1000 : 1);
    }

    @Test
    void aLatencyBudgetOnThisMachineIsMetAsTheGeneratedCodeMeasuresIt() throws IOException {
        Path host = dir.resolve("host.target");
        assertThat(tamp("target", "probe", "--quick", "-o", host.toString()).code()).isEqualTo(ExitCode.OK);
        Path r = recipe("\"" + host + "\"", "latency <= 5 ms");
        CheckCommandTest.Run run = tamp("compile", r.toString(), "--no-eval", "-o", dir.resolve("out").toString());
        assertThat(run.code()).as(run.err()).isEqualTo(ExitCode.OK);
        assertThat(run.err()).contains("generated code on this machine: ");
        Matcher m = LATENCY.matcher(run.err());
        assertThat(m.find()).as(run.err()).isTrue();
        assertThat(m.group(4)).isEqualTo("holds");
        // The measured figure is the generated code's time, not the prediction, and it is within the budget.
        assertThat(micros(m.group(3))).isPositive().isLessThanOrEqualTo(micros(m.group(1)));
        assertThat(run.err()).contains("per image (predicted " + m.group(2).strip());
        assertThat(dir.resolve("out/java/t/fast/Fast.java")).exists();
    }

    @Test
    void onAnotherTargetTheLatencyIsOnlyPredictedAndThePlanSaysSo() throws IOException {
        Path r = recipe("raspberry-pi4", "latency <= 5 ms");
        CheckCommandTest.Run run = tamp("plan", r.toString(), "--images", "200", "-o", dir.resolve("plan").toString());
        assertThat(run.code()).as(run.err()).isEqualTo(ExitCode.OK);
        assertThat(run.out()).contains("latency is predicted by the cost model for raspberry-pi4, not measured: the "
                + "generated code can only be timed when the target is this machine");
        assertThat(run.out()).doesNotContain("generated code on this machine:");
    }
}
