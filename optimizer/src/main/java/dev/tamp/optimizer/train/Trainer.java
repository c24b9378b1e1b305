package dev.tamp.optimizer.train;

import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ops.Parallelism;
import dev.tamp.optimizer.data.RecipeData;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Fine-tunes a graph on labelled images: shuffled mini-batches (seeded {@link SplittableRandom}, one permutation per
 * epoch, last batch possibly smaller), softmax cross-entropy or knowledge distillation plus any {@link Regularizer}
 * terms, SGD or Adam with a learning rate schedule over all steps. Every weight keeps its representation ({@link TrainableWeight}); the result is the
 * same graph with the trained weights. Same graph, data and options give bit-identical results.
 */
public final class Trainer {
    private Trainer() {}

    /**
     * The matrix kernel training runs on, e.g. {@code "Vector API GEMM, 16-float vectors, 8x2 register tiles"}, or
     * the plain Java one when this JVM lacks {@code --add-modules jdk.incubator.vector}; for benchmark reports.
     */
    public static String kernel() {
        return Products.KERNEL.toString();
    }

    /** Trains on the recipe's training split, preprocessed as the recipe says. */
    public static Graph train(Graph graph, RecipeData data, TrainingOptions options, TrainingListener listener) {
        return train(graph, data.train(), data.pre(), options, listener);
    }

    public static Graph train(Graph graph, LabeledImages data, Preprocessing pre, TrainingOptions options,
            TrainingListener listener) {
        return train(TrainableGraph.of(graph), data, pre, options, listener);
    }

    /** Trains a prepared graph (for weights built with a custom factory) and returns its {@link TrainableGraph#toGraph()}. */
    public static Graph train(TrainableGraph model, LabeledImages data, Preprocessing pre, TrainingOptions options,
            TrainingListener listener) {
        return train(model, List.of(), data, pre, options, listener);
    }

    /**
     * Trains a prepared graph with {@code regularizers} (over its weights) added to the objective, their own
     * parameters trained along; the caller reads their final state (a mixture prior's {@code snap()}).
     */
    public static Graph train(TrainableGraph model, List<Regularizer> regularizers, LabeledImages data,
            Preprocessing pre, TrainingOptions options, TrainingListener listener) {
        for (Regularizer r : regularizers) {
            if (!model.weights().contains(r.weight())) {
                throw new IllegalArgumentException("regularizer over " + r.weight().name() + ", which is not a weight "
                        + "of the graph being trained");
            }
        }
        if (data.count() == 0) {
            throw new IllegalArgumentException("no training images");
        }
        ExecutorService pool = options.threads() > 1 ? Executors.newFixedThreadPool(options.threads() - 1, r -> {
            Thread t = new Thread(r, "tamp-train");
            t.setDaemon(true);
            return t;
        }) : null;
        try {
            new Run(model, regularizers, data, pre, options, listener, new Parallelism(pool, options.threads())).run();
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        return model.toGraph();
    }

    /** One training run's state. */
    private static final class Run {
        private final TrainableGraph model;
        private final TrainableGraph teacher;
        private final LabeledImages data;
        private final Preprocessing pre;
        private final TrainingOptions options;
        private final TrainingListener listener;
        private final Parallelism par;
        private final Optimizer optimizer;
        private final List<Regularizer> regularizers;
        private final List<Parameter> parameters;
        private final List<Parameter> regularizerParameters;

        Run(TrainableGraph model, List<Regularizer> regularizers, LabeledImages data, Preprocessing pre,
                TrainingOptions options, TrainingListener listener, Parallelism par) {
            this.model = model;
            this.regularizers = List.copyOf(regularizers);
            this.teacher = options.distillation().map(d -> TrainableGraph.of(d.teacher())).orElse(null);
            this.data = data;
            this.pre = pre;
            this.options = options;
            this.listener = listener;
            this.par = par;
            this.optimizer = options.newOptimizer();
            this.regularizerParameters = this.regularizers.stream().flatMap(r -> r.parameters().stream()).toList();
            List<Parameter> all = new java.util.ArrayList<>(model.parameters());
            all.addAll(regularizerParameters);
            this.parameters = List.copyOf(all);
        }

        void run() {
            int n = data.count();
            int batch = Math.min(options.batch(), n);
            int perEpoch = (n + batch - 1) / batch;
            int total = Math.max(1, (int) Math.ceil(options.epochs() * perEpoch));
            int interval = Math.max(1, (int) Math.round(options.stepEpochs() * perEpoch));
            LearningRateSchedule schedule = new LearningRateSchedule(options.schedule(), options.lr(), interval,
                    options.gamma(), total);
            int epochs = (total + perEpoch - 1) / perEpoch;
            SplittableRandom random = new SplittableRandom(options.seed());
            int step = 0;
            for (int epoch = 1; epoch <= epochs && step < total; epoch++) {
                int[] order = permutation(n, random);
                long start = System.nanoTime();
                double lossSum = 0;
                int steps = 0;
                int images = 0;
                for (int from = 0; from < n && step < total; from += batch) {
                    if (listener.stopRequested()) {
                        return;
                    }
                    int count = Math.min(batch, n - from);
                    double lr = schedule.at(step);
                    double loss = step(order, from, count, lr);
                    step++;
                    steps++;
                    images += count;
                    lossSum += loss;
                    double seconds = (System.nanoTime() - start) / 1e9;
                    listener.onStep(new TrainingListener.Step(epoch, step, total, loss, lr, images / seconds));
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                listener.onEpoch(new TrainingListener.Epoch(epoch, epochs, steps, lossSum / steps, images / seconds,
                        seconds));
            }
        }

        private double step(int[] order, int from, int count, double lr) {
            int rows = data.rows();
            int cols = data.cols();
            float[] x = images(order, from, count);
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = data.label(order[from + i]);
            }
            int[] shape = {count, 1, rows, cols};
            float[] logits = model.forward(x, shape, par);
            int[] outShape = model.outputShape();
            if (outShape.length != 2 || outShape[0] != count) {
                throw new IllegalArgumentException("cannot train graph " + model.graph().name() + ": its output "
                        + java.util.Arrays.toString(outShape) + " is not [batch, classes] logits");
            }
            int classes = outShape[1];
            float[] grad = new float[logits.length];
            double loss;
            if (teacher != null) {
                TrainingOptions.Distillation d = options.distillation().orElseThrow();
                float[] soft = teacher.forward(x, shape, par);
                loss = Losses.distillation(logits, soft, count, classes, labels, d.temperature(), d.weight(), grad);
            } else {
                loss = Losses.crossEntropy(logits, count, classes, labels, grad);
            }
            model.zeroGrad();
            model.backward(grad, par);
            for (Parameter p : regularizerParameters) {
                java.util.Arrays.fill(p.grad(), 0f);
            }
            for (Regularizer r : regularizers) {
                loss += r.addGradient(par);
            }
            model.pullGradients(par);
            optimizer.step(parameters, lr, par);
            model.afterStep(par);
            return loss;
        }

        /** The batch's images, preprocessed exactly as {@link Preprocessing#batch} does. */
        private float[] images(int[] order, int from, int count) {
            int p = data.pixelsPerImage();
            float[] x = new float[count * p];
            byte[] px = data.pixels();
            boolean plain = pre.mean() == 0f && pre.std() == 1f;
            for (int i = 0; i < count; i++) {
                int src = order[from + i] * p;
                for (int j = 0; j < p; j++) {
                    float v = (px[src + j] & 0xff) / pre.divisor();
                    x[i * p + j] = plain ? v : (v - pre.mean()) / pre.std();
                }
            }
            return x;
        }

        private static int[] permutation(int n, SplittableRandom random) {
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            return order;
        }
    }
}
