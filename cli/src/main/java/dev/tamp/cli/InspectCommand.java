package dev.tamp.cli;

import dev.tamp.model.onnx.ModelLoadException;
import dev.tamp.model.report.LayerTable;
import dev.tamp.model.report.ModelReports;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tamp inspect MODEL}: the layer table (shapes, parameters, MACs, bytes) and totals. */
@Command(name = "inspect", description = "Show a model's layers: shapes, parameters, MACs per image and weight bytes.")
final class InspectCommand implements Callable<Integer> {

    @Parameters(paramLabel = "MODEL", description = "An ONNX model file.")
    Path model;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        LayerTable table;
        try {
            table = ModelReports.inspect(model);
        } catch (ModelLoadException e) {
            return ModelErrors.report(e, model.toString(), spec.commandLine().getErr());
        }
        spec.commandLine().getOut().print(json ? table.toJson() : table.renderText());
        spec.commandLine().getOut().flush();
        return ExitCode.OK;
    }
}
