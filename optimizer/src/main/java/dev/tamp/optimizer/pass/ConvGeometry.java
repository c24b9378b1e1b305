package dev.tamp.optimizer.pass;

import dev.tamp.model.ir.AttributeValue;
import dev.tamp.model.ir.Attributes;
import dev.tamp.model.ir.Node;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The window of a 2-D, ungrouped Conv with explicit pads, as the structural factorize passes split it: heights and
 * widths of kernel, stride, dilation and the ONNX pads {@code [top, left, bottom, right]}.
 */
record ConvGeometry(int kh, int kw, long[] strides, long[] dilations, long[] pads) {
    /** The geometry of {@code conv} (weight dims {@code [out, in, k_h, k_w]}), refusing what the passes cannot split. */
    static ConvGeometry of(Node conv, int[] weightDims, String passName) {
        String name = conv.name();
        if (!conv.opType().equals("Conv")) {
            throw new IllegalArgumentException(name + ": " + passName + " factorizes 2-D convolutions, not "
                    + conv.opType() + " (method=svd factors fully connected layers)");
        }
        if (weightDims.length != 4) {
            throw new IllegalArgumentException(name + ": " + passName + " needs a 2-D convolution, the weight is "
                    + java.util.Arrays.toString(weightDims));
        }
        if (conv.attributes().getInt("group", 1) != 1) {
            throw new IllegalArgumentException(name + ": " + passName + " needs group=1 (a grouped convolution's "
                    + "weight is not one [out, in, k, k] tensor)");
        }
        String autoPad = conv.attributes().getString("auto_pad", "NOTSET");
        if (!autoPad.equals("NOTSET")) {
            // SAME_* pads depend on the input size; splitting them between two windows would need the shapes.
            throw new IllegalArgumentException(name + ": " + passName + " needs explicit pads, not auto_pad="
                    + autoPad);
        }
        long[] strides = orDefault(conv.attributes().getInts("strides"), new long[] {1, 1});
        long[] dilations = orDefault(conv.attributes().getInts("dilations"), new long[] {1, 1});
        long[] pads = orDefault(conv.attributes().getInts("pads"), new long[] {0, 0, 0, 0});
        return new ConvGeometry(weightDims[2], weightDims[3], strides, dilations, pads);
    }

    private static long[] orDefault(long[] v, long[] fallback) {
        return v == null ? fallback : v;
    }

    /** Attributes of a Conv with this kernel, stride, dilation and pads (no group: it is 1). */
    static Attributes attributes(long kh, long kw, long[] strides, long[] dilations, long[] pads) {
        Map<String, AttributeValue> a = new TreeMap<>();
        a.put("kernel_shape", ints(kh, kw));
        a.put("strides", ints(strides));
        a.put("dilations", ints(dilations));
        a.put("pads", ints(pads));
        return new Attributes(a);
    }

    /** A 1×1 convolution: stride 1, no padding. */
    static Attributes pointwise() {
        return attributes(1, 1, new long[] {1, 1}, new long[] {1, 1}, new long[] {0, 0, 0, 0});
    }

    private static AttributeValue.Ints ints(long... values) {
        return new AttributeValue.Ints(java.util.Arrays.stream(values).boxed().toList());
    }

    /** The conv's inputs for a part: {@code x}, the part's weight, and the bias when there is one and it is wanted. */
    static List<String> inputs(String x, String weight, Node original, boolean withBias) {
        return withBias && original.hasInput(2) ? List.of(x, weight, original.input(2)) : List.of(x, weight);
    }
}
