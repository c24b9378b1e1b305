package dev.tamp.model.report;

import dev.tamp.model.data.Evaluation;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Model;
import dev.tamp.model.onnx.OnnxImporter;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The pure functions behind {@code tamp inspect} and {@code tamp eval}: load, compute, return a report value. Errors
 * arrive as {@link dev.tamp.model.onnx.ModelLoadException} or {@link dev.tamp.model.data.DataLoadException}.
 */
public final class ModelReports {
    /** Images per executor call: long enough GEMM rows, small enough activations to stay in cache (measured). */
    private static final int EVAL_BATCH = 64;

    private ModelReports() {}

    public static LayerTable inspect(Path modelFile) {
        Model model = OnnxImporter.withDefaults().load(modelFile);
        return ModelInspector.inspect(modelFile.getFileName().toString(), model);
    }

    /**
     * Evaluates a model on an IDX data set: a directory (the {@code t10k} pair preferred) or the image and label
     * files. {@code threads} only changes speed, never the result.
     */
    public static EvalReport eval(Path modelFile, List<Path> data, Preprocessing preprocessing, int threads) {
        Model model = OnnxImporter.withDefaults().load(modelFile);
        LabeledImages images = IdxFiles.locate(data);
        Evaluation.Result r;
        try (Executor executor = Executor.create(model.graph(), threads)) {
            r = Evaluation.evaluate(executor, images, preprocessing, EVAL_BATCH, false);
        }
        String dataName = data.stream().map(Path::toString).collect(Collectors.joining(" + "));
        return new EvalReport(modelFile.getFileName().toString(), dataName, r.count(), r.correct(), r.meanLoss());
    }
}
