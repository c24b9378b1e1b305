package dev.tamp.model.onnx;

/**
 * Limits and choices for loading a model. Limits are checked against declared sizes before anything that large is
 * allocated, so a hostile file cannot make the loader run out of memory.
 *
 * @param maxFileBytes largest model file read into memory
 * @param maxTensorBytes largest single tensor
 * @param maxTotalTensorBytes largest sum over all tensors of a model
 * @param foldBatchNorm fold BatchNormalization into the preceding Conv or Gemm where that is exact
 */
public record ImportOptions(long maxFileBytes, long maxTensorBytes, long maxTotalTensorBytes, boolean foldBatchNorm) {
    public ImportOptions {
        if (maxFileBytes <= 0 || maxTensorBytes <= 0 || maxTotalTensorBytes <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    // Java arrays hold at most 2^31-1 elements; 1 GiB per tensor and 2 GiB per model are far beyond edge models.
    private static final ImportOptions DEFAULTS = new ImportOptions(2L << 30, 1L << 30, 2L << 30, true);

    public static ImportOptions defaults() {
        return DEFAULTS;
    }

    public ImportOptions withFoldBatchNorm(boolean fold) {
        return new ImportOptions(maxFileBytes, maxTensorBytes, maxTotalTensorBytes, fold);
    }

    public ImportOptions withMaxTensorBytes(long bytes) {
        return new ImportOptions(maxFileBytes, bytes, maxTotalTensorBytes, foldBatchNorm);
    }
}
