package dev.tamp.bench;

import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.train.LearningRateSchedule;
import dev.tamp.optimizer.train.Trainer;
import dev.tamp.optimizer.train.TrainingListener;
import dev.tamp.optimizer.train.TrainingOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Training throughput of the fine-tuning engine, as {@code bench/train_throughput.py} measures PyTorch's: Adam at
 * batch 128 with a constant learning rate on the first {@code images} training images, one warm-up epoch (JIT), then
 * {@code epochs} timed epochs; prints the images/s of each timed epoch and their median.
 *
 * <p>Usage: {@code TrainThroughput MODEL.onnx DATA_DIR IMAGES EPOCHS THREADS}.
 */
public final class TrainThroughput {
    private TrainThroughput() {}

    public static void main(String[] args) {
        Path model = Path.of(args[0]);
        Path data = Path.of(args[1]);
        int images = Integer.parseInt(args[2]);
        int epochs = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        Graph graph = OnnxImporter.withDefaults().load(model).graph();
        LabeledImages train = IdxFiles.read(data.resolve("train-images-idx3-ubyte.gz"),
                data.resolve("train-labels-idx1-ubyte.gz"));
        train = train.slice(0, Math.min(images, train.count()));
        List<Double> rates = new ArrayList<>();
        TrainingOptions options = TrainingOptions.defaults().withEpochs(epochs + 1).withBatch(128).withThreads(threads)
                .withSchedule(LearningRateSchedule.Kind.CONSTANT, 1, 0.1);
        Trainer.train(graph, train, Preprocessing.unitScale(), options, new TrainingListener() {
            @Override
            public void onEpoch(Epoch e) {
                if (e.epoch() > 1) {
                    rates.add(e.imagesPerSecond());
                }
            }
        });
        List<Double> sorted = new ArrayList<>(rates);
        sorted.sort(null);
        StringBuilder each = new StringBuilder();
        for (double r : rates) {
            each.append(String.format(" %.0f", r));
        }
        System.out.printf("tamp %s: %d threads, batch 128, Adam, %d images/epoch; epochs img/s:%s; median %.0f img/s"
                + " (%s)%n", model.getFileName(), threads, train.count(), each, sorted.get(sorted.size() / 2),
                Trainer.kernel());
    }
}
