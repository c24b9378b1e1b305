package dev.tamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's contract: exit codes, which stream gets what, and the shipped examples all checking clean. */
class CheckCommandTest {
    @TempDir
    Path temp;

    record Run(int code, String out, String err) {}

    static Run tamp(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Tamp.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void everyExampleAndShippedTargetChecksClean() throws IOException {
        List<String> files = new ArrayList<>();
        for (String dir : List.of("../examples", "../specs")) {
            try (Stream<Path> list = Files.list(Path.of(dir))) {
                list.filter(p -> p.toString().endsWith(".recipe") || p.toString().endsWith(".target"))
                        .sorted().forEach(p -> files.add(p.toString()));
            }
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(5);
        List<String> args = new ArrayList<>(List.of("check"));
        args.addAll(files);
        Run run = tamp(args.toArray(String[]::new));
        assertThat(run.err()).isEmpty();
        assertThat(run.code()).isEqualTo(ExitCode.OK);
        assertThat(run.out().lines()).hasSize(files.size()).allMatch(l -> l.startsWith("ok: "));
    }

    @Test
    void errorsGoToStderrWithLocationCaretAndHintAndExitOne() throws IOException {
        Path recipe = temp.resolve("typo.recipe");
        Files.writeString(recipe, "recipe typo {\n  model \"m.onnx\"\n  prune fc1 { sparsty 50 % }\n}\n");
        Files.copy(Path.of("../models/fmnist_lenet5.onnx"), temp.resolve("m.onnx"));
        Run run = tamp("check", recipe.toString());
        assertThat(run.code()).isEqualTo(ExitCode.INPUT_ERROR);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains(recipe + ":3:15: error[E2001]: unknown option `sparsty` for `prune`")
                .contains("3 |   prune fc1 { sparsty 50 % }")
                .contains("  |               ^^^^^^^")
                .contains("= help: did you mean `sparsity`?")
                .contains("1 error");
    }

    @Test
    void severalErrorsInOneRunAndInSeveralFiles() throws IOException {
        Path a = temp.resolve("a.recipe");
        Path b = temp.resolve("b.target");
        Files.writeString(a, "recipe a {\n  seed 1.5\n  emit kotlin\n}\n");
        Files.writeString(b, "target b {\n  cores 0\n}\n");
        Run run = tamp("check", a.toString(), b.toString());
        assertThat(run.code()).isEqualTo(ExitCode.INPUT_ERROR);
        assertThat(run.err()).contains("error[E1003]").contains("error[E1006]").contains("error[E2004]")
                .contains("error[E2009]");
    }

    @Test
    void missingFileIsOneClearErrorNotAStackTrace() {
        Run run = tamp("check", temp.resolve("nope.recipe").toString());
        assertThat(run.code()).isEqualTo(ExitCode.INPUT_ERROR);
        assertThat(run.err()).contains("error[E1007]: cannot read").contains("does not exist").doesNotContain("\tat ");
    }

    @Test
    void aFolderIsRefusedClearly() {
        Run run = tamp("check", temp.toString());
        assertThat(run.code()).isEqualTo(ExitCode.INPUT_ERROR);
        assertThat(run.err()).contains("is a folder");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(tamp("check").code()).isEqualTo(ExitCode.USAGE);
        assertThat(tamp("check", "--frobnicate", "x.recipe").code()).isEqualTo(ExitCode.USAGE);
        Run unknown = tamp("chek", "x.recipe");
        assertThat(unknown.code()).isEqualTo(ExitCode.USAGE);
        assertThat(unknown.err()).contains("chek");
    }

    @Test
    void versionAndHelpGoToStdout() {
        Run version = tamp("--version");
        assertThat(version.code()).isZero();
        assertThat(version.out()).startsWith("tamp 0.");
        Run help = tamp("help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("check").contains("fmt").contains("Exit codes");
        assertThat(tamp("help", "check").out()).contains("Usage: tamp check");
    }

    @Test
    void warningsAloneExitZero() throws IOException {
        Path recipe = temp.resolve("w.recipe");
        Files.copy(Path.of("../models/fmnist_lenet5.onnx"), temp.resolve("m.onnx"));
        Files.writeString(recipe, "recipe w {\n  model \"m.onnx\"\n  encode { method huffman }\n}\n");
        Run run = tamp("check", recipe.toString());
        assertThat(run.code()).isZero();
        assertThat(run.err()).contains("warning[W0001]").contains("0 errors, 1 warning");
    }
}
