package dev.tamp.cli;

import dev.tamp.model.data.DataLoadException;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.onnx.ModelLoadException;
import dev.tamp.model.report.EvalReport;
import dev.tamp.model.report.ModelReports;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tamp eval MODEL --data PATH}: top-1 accuracy and loss of a model on an IDX data set. */
@Command(name = "eval", description = "Measure a model's top-1 accuracy and loss on an IDX data set.")
final class EvalCommand implements Callable<Integer> {

    @Parameters(paramLabel = "MODEL", description = "An ONNX model file.")
    Path model;

    @Option(names = "--data", required = true, arity = "1..2", paramLabel = "PATH",
            description = "A folder with *-images-idx3-ubyte[.gz] and *-labels-idx1-ubyte[.gz] (the t10k pair if "
                    + "there are several), or the images file and the labels file.")
    List<Path> data;

    @Option(names = "--divisor", defaultValue = "255", description = "Pixels are divided by this (default: ${DEFAULT-VALUE}).")
    float divisor;

    @Option(names = "--mean", defaultValue = "0", description = "Subtracted after dividing (default: ${DEFAULT-VALUE}).")
    float mean;

    @Option(names = "--std", defaultValue = "1", description = "Divides after subtracting the mean (default: ${DEFAULT-VALUE}).")
    float std;

    @Option(names = "--threads", defaultValue = "0",
            description = "Executor threads; 0 for one per core. Changes speed, never results.")
    int threads;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Only errors on stderr (eval shows no progress; for scripts "
            + "that pass the same options to compile, plan and eval).")
    boolean quiet;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (!(divisor > 0) || !(std > 0) || !Float.isFinite(mean) || threads < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--divisor and --std must be positive, --mean finite and --threads at least 0");
        }
        int workers = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        EvalReport report;
        try {
            report = ModelReports.eval(model, data, new Preprocessing(divisor, mean, std), workers);
        } catch (ModelLoadException e) {
            return ModelErrors.report(e, model.toString(), spec.commandLine().getErr());
        } catch (DataLoadException e) {
            return ModelErrors.report(e, spec.commandLine().getErr());
        }
        spec.commandLine().getOut().print(json ? report.toJson() : report.renderText());
        spec.commandLine().getOut().flush();
        return ExitCode.OK;
    }
}
