/**
 * The training engine behind fine-tuning: forward and backward passes over a graph's layers ({@link
 * dev.tamp.optimizer.train.TrainableGraph}), trainable parameters that keep every compressed representation intact
 * ({@link dev.tamp.optimizer.train.TrainableWeight}: masks, centroids, factors, straight-through shadows of integer
 * codes, hash buckets, circulant vectors trained through FFTs), SGD and Adam with learning-rate schedules ({@link
 * dev.tamp.optimizer.train.Optimizer}, {@link dev.tamp.optimizer.train.LearningRateSchedule}), cross-entropy and
 * knowledge-distillation losses ({@link dev.tamp.optimizer.train.Losses}), regularization terms ({@link
 * dev.tamp.optimizer.train.Regularizer}: L1, group lasso, soft weight-sharing), and the {@link
 * dev.tamp.optimizer.train.Trainer} that runs them over mini-batches.
 *
 * <p>Everything runs in float32 on the JVM: the products go through one GEMM with offset tables ({@code
 * GemmKernel}), on the JDK Vector API where {@code jdk.incubator.vector} is present and on the executor's {@link
 * dev.tamp.model.ops.MatrixKernels#plainJava()} GEMM otherwise, both adding each element's products in the same
 * order; the work is split over threads so that the result depends only on the seed (reductions over images use a
 * fixed number of chunks, whatever the thread count). The engine never prints; progress goes to a {@link
 * dev.tamp.optimizer.train.TrainingListener}.
 */
package dev.tamp.optimizer.train;
