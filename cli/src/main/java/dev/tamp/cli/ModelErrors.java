package dev.tamp.cli;

import dev.tamp.model.data.DataLoadException;
import dev.tamp.model.onnx.ModelLoadException;
import java.io.PrintWriter;

/** One clear message for a model or data set that cannot be loaded, in the shape of the CLI's other errors. */
final class ModelErrors {
    private static final int MAX_PROBLEMS = 20;

    private ModelErrors() {}

    static int report(ModelLoadException e, String file, PrintWriter err) {
        err.println("error: cannot load model `" + file + "`: " + e.getMessage().lines().findFirst().orElse(""));
        var problems = e.problems();
        if (problems.size() > 1) {
            problems.stream().limit(MAX_PROBLEMS).forEach(p -> err.println("  = note: " + p));
            if (problems.size() > MAX_PROBLEMS) {
                err.println("  = note: … and " + (problems.size() - MAX_PROBLEMS) + " more");
            }
        }
        err.flush();
        return ExitCode.INPUT_ERROR;
    }

    static int report(DataLoadException e, PrintWriter err) {
        err.println("error: cannot load the data set: " + e.getMessage());
        err.flush();
        return ExitCode.INPUT_ERROR;
    }
}
