package dev.tamp.model.ops;

import java.util.Arrays;

/** ONNX multidirectional (numpy) broadcasting of shapes and element offsets. */
final class Broadcast {
    private Broadcast() {}

    static int[] shape(String opType, int[]... shapes) {
        int rank = 0;
        for (int[] s : shapes) {
            rank = Math.max(rank, s.length);
        }
        int[] out = new int[rank];
        Arrays.fill(out, 1);
        for (int[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int axis = rank - s.length + i;
                int d = s[i];
                if (out[axis] == 1) {
                    out[axis] = d;
                } else if (d != 1 && d != out[axis]) {
                    throw new IllegalArgumentException(opType + ": shapes " + describe(shapes) + " do not broadcast");
                }
            }
        }
        return out;
    }

    private static String describe(int[][] shapes) {
        StringBuilder sb = new StringBuilder();
        for (int[] s : shapes) {
            sb.append(Arrays.toString(s));
        }
        return sb.toString();
    }

    /** For each output element, the offset of the element of an input of shape {@code in} that it reads. */
    static int[] offsets(int[] in, int[] out) {
        int total = (int) dev.tamp.model.ir.Tensor.elementCount(out);
        int rank = out.length;
        int[] strides = new int[rank];
        int stride = 1;
        for (int i = in.length - 1; i >= 0; i--) {
            int axis = rank - in.length + i;
            strides[axis] = in[i] == 1 ? 0 : stride;
            stride *= in[i];
        }
        int[] offsets = new int[total];
        int[] index = new int[rank];
        int offset = 0;
        for (int e = 0; e < total; e++) {
            offsets[e] = offset;
            for (int axis = rank - 1; axis >= 0; axis--) {
                index[axis]++;
                offset += strides[axis];
                if (index[axis] < out[axis]) {
                    break;
                }
                offset -= strides[axis] * out[axis];
                index[axis] = 0;
            }
        }
        return offsets;
    }
}
