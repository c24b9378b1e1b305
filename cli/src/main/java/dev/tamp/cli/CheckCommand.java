package dev.tamp.cli;

import dev.tamp.compiler.Frontend;
import dev.tamp.compiler.diag.Diagnostics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tamp check FILE…}: finds every error in recipes and target specs before any heavy work. */
@Command(name = "check", description = "Check recipe and target files and report every problem found.")
final class CheckCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Recipe (.recipe) or target (.target) files.")
    List<Path> files;

    @CommandLine.Option(names = {"-q", "--quiet"}, description = "Print nothing for files without problems.")
    boolean quiet;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Diagnostics diagnostics = new Diagnostics();
        Frontend frontend = new Frontend(diagnostics);
        for (Path file : files) {
            int before = diagnostics.errorCount();
            var checked = frontend.check(file, file.toString());
            if (checked.isPresent() && diagnostics.errorCount() == before && !quiet) {
                var declared = checked.get().declared();
                String what = declared.recipes().isEmpty()
                        ? declared.targets().size() + (declared.targets().size() == 1 ? " target" : " targets")
                        : "recipe `" + declared.recipes().get(0).name() + "`, "
                                + declared.recipes().get(0).passes().size()
                                + (declared.recipes().get(0).passes().size() == 1 ? " pass" : " passes");
                out.println("ok: " + file + " (" + what + ")");
            }
        }
        return Reporting.finish(diagnostics, err);
    }
}
