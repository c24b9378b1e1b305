package dev.tamp.optimizer.train;

import dev.tamp.model.ir.Node;
import java.util.Arrays;

/**
 * The {@code beta C} term of a Gemm ({@code Y = alpha A op(W) + beta C}) with a trainable C broadcast along rows: one
 * value per output column, or a scalar. Shared by the dense and the FFT Gemm layers.
 */
record GemmBias(TrainableWeight weight, float beta, int columns) {
    /** The bias of a Gemm node, checked against its {@code columns} outputs; null when the node has none. */
    static GemmBias of(Node node, TrainableWeight bias, float beta, int columns) {
        if (bias == null) {
            return null;
        }
        int[] c = bias.dims();
        long size = dev.tamp.model.ir.Tensor.elementCount(c);
        boolean perColumn = size == columns && (c.length == 1 || c.length == 2 && c[0] == 1);
        if (!perColumn && size != 1) {
            throw ConvGeometry.refuse(node, "bias " + bias.name() + " of shape " + Arrays.toString(c)
                    + " is not one value per output column or a scalar");
        }
        return new GemmBias(bias, beta, columns);
    }

    /** Adds {@code beta C} to each of the {@code rows} rows of {@code y}, after the product was scaled by alpha. */
    void forward(float[] y, int rows) {
        if (beta == 0f) {
            return;
        }
        float[] c = weight.dense();
        boolean scalar = c.length == 1 && columns != 1;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) {
                y[i * columns + j] += beta * c[scalar ? 0 : j];
            }
        }
    }

    /** Adds {@code dC = beta * (dY summed over rows)} to the bias's dense gradient. */
    void backward(float[] dy, int rows) {
        if (beta == 0f) {
            return;
        }
        float[] dc = weight.denseGrad();
        boolean scalar = dc.length == 1 && columns != 1;
        for (int j = 0; j < columns; j++) {
            double sum = 0;
            for (int i = 0; i < rows; i++) {
                sum += dy[i * columns + j];
            }
            dc[scalar ? 0 : j] += (float) (beta * sum);
        }
    }
}
