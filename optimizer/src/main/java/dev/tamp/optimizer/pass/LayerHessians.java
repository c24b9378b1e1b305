package dev.tamp.optimizer.pass;

import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Tensor;
import dev.tamp.optimizer.data.Activations;
import dev.tamp.optimizer.numerics.ConvPatches;
import dev.tamp.optimizer.numerics.InputGram;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The layer-wise Hessians of second-order pruning: each selected layer's input vectors on the first training images
 * (a Gemm's or MatMul's input rows; a Conv's im2col patches, one Hessian per group), accumulated as
 * {@code H = (2/n) Σ x xᵀ}, and the layer's weight viewed as a matrix with one row per output.
 *
 * <p>Inputs are those of the model the pass receives, captured in one forward run per chunk of images for all layers
 * together; they are not re-captured after earlier layers are pruned, which would cost one run per layer.
 */
final class LayerHessians {
    private static final int IMAGES_PER_RUN = 128;
    private static final int MAX_VECTORS = 8192;

    private LayerHessians() {}

    /**
     * One layer: its input tensor, its weight as {@code rows × inputs} (rows split evenly into {@code groups}), and
     * for a Conv the patch geometry (input sizes filled in from the captured tensor).
     *
     * @param transposed whether the weight is stored {@code [inputs, rows]} (MatMul, Gemm without transB)
     */
    record Layer(String name, String input, int rows, int inputs, int groups, boolean transposed, Node conv,
            int kernelH, int kernelW, int samples) {
        /** The weight as one row per output. */
        double[][] rows(Tensor weight) {
            float[] f = weight.floats();
            double[][] w = new double[rows][inputs];
            for (int r = 0; r < rows; r++) {
                for (int q = 0; q < inputs; q++) {
                    w[r][q] = f[transposed ? q * rows + r : r * inputs + q];
                }
            }
            return w;
        }

        /** The rows back in the weight's layout. */
        Tensor tensor(double[][] w, int[] shape) {
            float[] f = new float[rows * inputs];
            for (int r = 0; r < rows; r++) {
                for (int q = 0; q < inputs; q++) {
                    f[transposed ? q * rows + r : r * inputs + q] = (float) w[r][q];
                }
            }
            return Tensor.ofFloats(shape, f);
        }

        boolean[] flatMask(boolean[][] removed) {
            boolean[] flat = new boolean[rows * inputs];
            for (int r = 0; r < rows; r++) {
                for (int q = 0; q < inputs; q++) {
                    flat[transposed ? q * rows + r : r * inputs + q] = removed[r][q];
                }
            }
            return flat;
        }

        /** The patch geometry of a Conv on an input of shape {@code [N, C, H, W]}. */
        ConvPatches patches(int[] inputShape) {
            long[] pads = conv.attributes().getInts("pads");
            long[] strides = conv.attributes().getInts("strides");
            long[] dilations = conv.attributes().getInts("dilations");
            int[] p = pads == null ? new int[4] : Arrays.stream(pads).mapToInt(Math::toIntExact).toArray();
            return new ConvPatches(inputShape[1], inputShape[2], inputShape[3], kernelH, kernelW,
                    strides == null ? 1 : (int) strides[0], strides == null ? 1 : (int) strides[1], p,
                    dilations == null ? 1 : (int) dilations[0], dilations == null ? 1 : (int) dilations[1], groups);
        }
    }

    /** The layer a target is, or a refusal naming it when its form is not one the Hessian is derived for. */
    static Layer layer(Graph graph, WeightTargets.Target t, int samples) {
        Node node = t.node();
        String name = node.name();
        int[] dims = t.tensor().shape();
        switch (node.opType()) {
            case "Conv" -> {
                if (dims.length != 4) {
                    throw new IllegalArgumentException(name + ": only 2-D convolutions are pruned with a Hessian, "
                            + "this one is " + (dims.length - 2) + "-D");
                }
                String autoPad = node.attributes().getString("auto_pad", "NOTSET");
                if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
                    throw new IllegalArgumentException(name + ": auto_pad " + autoPad
                            + " is not supported by the im2col of second-order pruning; give explicit pads");
                }
                int groups = (int) node.attributes().getInt("group", 1);
                long[] kernel = node.attributes().getInts("kernel_shape");
                if (kernel != null && (kernel.length != 2 || kernel[0] != dims[2] || kernel[1] != dims[3])) {
                    throw new IllegalArgumentException(name + ": kernel_shape " + Arrays.toString(kernel)
                            + " does not match the weight " + Arrays.toString(dims));
                }
                if (groups < 1 || dims[0] % groups != 0) {
                    throw new IllegalArgumentException(name + ": " + dims[0] + " filters do not split into " + groups
                            + " groups");
                }
                return new Layer(name, node.input(0), dims[0], dims[1] * dims[2] * dims[3], groups, false, node,
                        dims[2], dims[3], samples);
            }
            case "Gemm" -> {
                if (node.attributes().getInt("transA", 0) != 0) {
                    throw new IllegalArgumentException(name + ": Gemm with transA is not supported by second-order "
                            + "pruning (its input vectors are the columns of A)");
                }
                boolean transB = node.attributes().getInt("transB", 0) != 0;
                return transB ? new Layer(name, node.input(0), dims[0], dims[1], 1, false, null, 0, 0, samples)
                        : new Layer(name, node.input(0), dims[1], dims[0], 1, true, null, 0, 0, samples);
            }
            case "MatMul" -> {
                return new Layer(name, node.input(0), dims[1], dims[0], 1, true, null, 0, 0, samples);
            }
            default -> throw new IllegalArgumentException(name + ": " + node.opType() + " is not a Conv, Gemm or MatMul");
        }
    }

    /** The Hessians of every layer (one per group) and how many input vectors each was estimated from. */
    record Calibration(List<List<InputGram>> grams) {
        List<double[][]> hessians(int layer) {
            return grams.get(layer).stream().map(InputGram::hessian).toList();
        }

        long vectors(int layer) {
            return grams.get(layer).stream().mapToLong(InputGram::count).sum();
        }
    }

    /** Runs the model on the first training images, as many as the largest {@code samples}, and accumulates. */
    static Calibration calibrate(Graph graph, List<Layer> layers, String passName, PassContext context) {
        int samples = layers.stream().mapToInt(Layer::samples).max().orElseThrow();
        Tensor batch = context.trainingBatch(passName, layers.get(0).name(), samples);
        int images = batch.dim(0);
        int imageSize = batch.size() / images;
        String graphInput = graph.inputs().get(0).name();
        List<String> names = new ArrayList<>(new LinkedHashSet<>(layers.stream().map(Layer::input)
                .filter(n -> !n.equals(graphInput)).toList()));
        List<List<InputGram>> grams = new ArrayList<>();
        for (Layer layer : layers) {
            List<InputGram> g = new ArrayList<>();
            for (int i = 0; i < layer.groups(); i++) {
                g.add(new InputGram(layer.inputs()));
            }
            grams.add(g);
        }
        for (int from = 0; from < images; from += IMAGES_PER_RUN) {
            int to = Math.min(images, from + IMAGES_PER_RUN);
            int[] shape = batch.shape();
            shape[0] = to - from;
            Tensor chunk = Tensor.ofFloats(shape, Arrays.copyOfRange(batch.floats(), from * imageSize,
                    to * imageSize));
            Map<String, Tensor> captured = names.isEmpty() ? Map.of()
                    : Activations.capture(graph, chunk, names, context.threads());
            for (int i = 0; i < layers.size(); i++) {
                Layer layer = layers.get(i);
                int use = Math.min(to, layer.samples()) - from;
                if (use <= 0) {
                    continue;
                }
                Tensor x = layer.input().equals(graphInput) ? chunk : captured.get(layer.input());
                if (layer.conv() != null) {
                    addPatches(layer, x, use, grams.get(i), context.threads());
                } else {
                    addRows(layer, x, use, grams.get(i).get(0), context.threads());
                }
            }
        }
        return new Calibration(grams);
    }

    /** A fully connected layer's input rows: the last axis is the input, every other axis enumerates vectors. */
    private static void addRows(Layer layer, Tensor x, int images, InputGram gram, int threads) {
        int d = layer.inputs();
        if (x.shape()[x.rank() - 1] != d) {
            throw new IllegalArgumentException(layer.name() + ": input " + Arrays.toString(x.shape())
                    + " does not end in the weight's " + d + " inputs");
        }
        int vectors = x.size() / x.dim(0) * images / d;
        float[] f = x.floats();
        float[][] buffer = new float[Math.min(vectors, MAX_VECTORS)][];
        for (int v0 = 0; v0 < vectors; v0 += buffer.length) {
            int n = Math.min(buffer.length, vectors - v0);
            for (int k = 0; k < n; k++) {
                buffer[k] = Arrays.copyOfRange(f, (v0 + k) * d, (v0 + k + 1) * d);
            }
            gram.add(buffer, n, threads);
        }
    }

    /** A Conv's im2col patches, group by group. */
    private static void addPatches(Layer layer, Tensor x, int images, List<InputGram> grams, int threads) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(layer.name() + ": Conv input " + Arrays.toString(x.shape())
                    + " is not NCHW");
        }
        ConvPatches patches = layer.patches(x.shape());
        if (patches.patchLength() != layer.inputs()) {
            throw new IllegalArgumentException(layer.name() + ": patches of " + patches.patchLength()
                    + " inputs do not match the weight's rows of " + layer.inputs());
        }
        int positions = patches.positions();
        int perFill = Math.max(1, MAX_VECTORS / positions);
        float[][] buffer = new float[Math.min(images, perFill) * positions][layer.inputs()];
        for (int g = 0; g < layer.groups(); g++) {
            for (int i0 = 0; i0 < images; i0 += perFill) {
                int count = Math.min(perFill, images - i0);
                for (int k = 0; k < count; k++) {
                    patches.extract(x.floats(), i0 + k, g, buffer, k * positions);
                }
                grams.get(g).add(buffer, count * positions, threads);
            }
        }
    }
}
