package dev.tamp.model.ops;

import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Element-wise operators: activations, arithmetic with broadcasting, Clip, Softmax and LogSoftmax. */
final class ElementwiseOps {
    private ElementwiseOps() {}

    @FunctionalInterface
    interface FloatFunction {
        float apply(float x);
    }

    @FunctionalInterface
    interface FloatBinary {
        float apply(float a, float b);
    }

    /** An activation or other one-input, one-output element-wise operator. */
    static Operator unary(String... allowedAttributes) {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                ctx.allowAttributes(allowedAttributes);
                ctx.requireInputs(inputs, 1, 1);
                ctx.requireOutputs(1);
                ctx.requireFloat(inputs, 0);
                function(ctx);
                return List.of(inputs.get(0));
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                if (ctx.node().opType().equals("Relu")) {
                    // The hottest activation gets a loop of its own: a lambda per element is megamorphic here.
                    return (in, par) -> {
                        float[] x = in[0].floats();
                        float[] y = new float[x.length];
                        for (int i = 0; i < x.length; i++) {
                            float v = x[i];
                            y[i] = v > 0f ? v : (v == v ? 0f : v);
                        }
                        return new Tensor[] {Tensor.ofFloats(in[0].shape(), y)};
                    };
                }
                FloatFunction f = function(ctx);
                return (in, par) -> {
                    float[] x = in[0].floats();
                    float[] y = new float[x.length];
                    for (int i = 0; i < x.length; i++) {
                        y[i] = f.apply(x[i]);
                    }
                    return new Tensor[] {Tensor.ofFloats(in[0].shape(), y)};
                };
            }
        };
    }

    static FloatFunction function(NodeContext ctx) {
        var a = ctx.attrs();
        switch (ctx.node().opType()) {
            case "Relu":
                return x -> x > 0f ? x : (x == x ? 0f : x);
            case "LeakyRelu": {
                float alpha = a.getFloat("alpha", 0.01f);
                return x -> x >= 0f ? x : alpha * x;
            }
            case "Elu": {
                float alpha = a.getFloat("alpha", 1f);
                return x -> x >= 0f ? x : (float) (alpha * (Math.exp(x) - 1.0));
            }
            case "Sigmoid":
                return x -> (float) (1.0 / (1.0 + Math.exp(-x)));
            case "Tanh":
                return x -> (float) Math.tanh(x);
            case "HardSigmoid": {
                float alpha = a.getFloat("alpha", 0.2f);
                float beta = a.getFloat("beta", 0.5f);
                return x -> Math.max(0f, Math.min(1f, alpha * x + beta));
            }
            case "HardSwish":
                return x -> x * Math.max(0f, Math.min(1f, x / 6f + 0.5f));
            case "Abs":
                return Math::abs;
            case "Neg":
                return x -> -x;
            case "Exp":
                return x -> (float) Math.exp(x);
            case "Log":
                return x -> (float) Math.log(x);
            case "Sqrt":
                return x -> (float) Math.sqrt(x);
            case "Reciprocal":
                return x -> 1f / x;
            case "Floor":
                return x -> (float) Math.floor(x);
            case "Ceil":
                return x -> (float) Math.ceil(x);
            case "Softsign":
                return x -> x / (1f + Math.abs(x));
            case "Softplus":
                return x -> (float) Math.log1p(Math.exp(x));
            case "Identity":
                return x -> x;
            default:
                throw ctx.unsupported("no element-wise function");
        }
    }

    static final Map<String, FloatBinary> BINARY = Map.of(
            "Add", (x, y) -> x + y,
            "Sub", (x, y) -> x - y,
            "Mul", (x, y) -> x * y,
            "Div", (x, y) -> x / y,
            "Max", Math::max,
            "Min", Math::min,
            "Pow", (x, y) -> (float) Math.pow(x, y));

    /** Add, Sub, Mul, Div with multidirectional broadcasting. */
    static Operator binary() {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                ctx.allowAttributes();
                ctx.requireInputs(inputs, 2, 2);
                ctx.requireOutputs(1);
                ctx.requireFloat(inputs, 0, 1);
                int[] out = Broadcast.shape(ctx.node().opType(), inputs.get(0).dims(), inputs.get(1).dims());
                return List.of(new TensorType(DataType.FLOAT, out));
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                FloatBinary f = BINARY.get(ctx.node().opType());
                return (in, par) -> new Tensor[] {apply(ctx.node().opType(), f, in[0], in[1])};
            }

            @Override
            public long macs(NodeContext ctx, List<TensorType> inputs, List<TensorType> outputs) {
                return outputs.get(0).elementCount();
            }
        };
    }

    static Tensor apply(String opType, FloatBinary f, Tensor a, Tensor b) {
        int[] as = a.shape();
        int[] bs = b.shape();
        float[] x = a.floats();
        float[] y = b.floats();
        if (Arrays.equals(as, bs)) {
            float[] z = new float[x.length];
            for (int i = 0; i < z.length; i++) {
                z[i] = f.apply(x[i], y[i]);
            }
            return Tensor.ofFloats(as, z);
        }
        int[] out = Broadcast.shape(opType, as, bs);
        int n = (int) Tensor.elementCount(out);
        float[] z = new float[n];
        if (y.length == 1 && Arrays.equals(out, as)) {
            float s = y[0];
            for (int i = 0; i < n; i++) {
                z[i] = f.apply(x[i], s);
            }
        } else {
            int[] ao = Broadcast.offsets(as, out);
            int[] bo = Broadcast.offsets(bs, out);
            for (int i = 0; i < n; i++) {
                z[i] = f.apply(x[ao[i]], y[bo[i]]);
            }
        }
        return Tensor.ofFloats(out, z);
    }

    /** Clip with bounds as attributes (opset < 11) or as optional scalar inputs (opset >= 11). */
    static Operator clip() {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                if (ctx.opset() < 11) {
                    ctx.allowAttributes("min", "max");
                    ctx.requireInputs(inputs, 1, 1);
                } else {
                    ctx.allowAttributes();
                    ctx.requireInputs(inputs, 1, 3);
                    for (int i = 1; i < 3; i++) {
                        if (i < inputs.size() && inputs.get(i) != null && inputs.get(i).elementCount() != 1) {
                            throw new IllegalArgumentException("Clip bounds must be scalars");
                        }
                    }
                }
                ctx.requireOutputs(1);
                ctx.requireFloat(inputs, 0, 1, 2);
                return List.of(inputs.get(0));
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                return (in, par) -> {
                    float lo;
                    float hi;
                    if (ctx.opset() < 11) {
                        lo = ctx.attrs().getFloat("min", Float.NEGATIVE_INFINITY);
                        hi = ctx.attrs().getFloat("max", Float.POSITIVE_INFINITY);
                    } else {
                        lo = in.length > 1 && in[1] != null ? in[1].floats()[0] : Float.NEGATIVE_INFINITY;
                        hi = in.length > 2 && in[2] != null ? in[2].floats()[0] : Float.POSITIVE_INFINITY;
                    }
                    float[] x = in[0].floats();
                    float[] y = new float[x.length];
                    for (int i = 0; i < x.length; i++) {
                        y[i] = Math.min(hi, Math.max(lo, x[i]));
                    }
                    return new Tensor[] {Tensor.ofFloats(in[0].shape(), y)};
                };
            }
        };
    }

    /** Softmax and LogSoftmax; before opset 13 they act on the input flattened to 2-D at {@code axis}. */
    static Operator softmax(boolean log) {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                ctx.allowAttributes("axis");
                ctx.requireInputs(inputs, 1, 1);
                ctx.requireOutputs(1);
                ctx.requireFloat(inputs, 0);
                NodeContext.normalizeAxis(axis(ctx), Math.max(1, inputs.get(0).rank()), ctx.node().opType());
                return List.of(inputs.get(0));
            }

            private long axis(NodeContext ctx) {
                return ctx.attrs().getInt("axis", ctx.opset() < 13 ? 1 : -1);
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                return (in, par) -> {
                    int[] shape = in[0].shape();
                    int axis = NodeContext.normalizeAxis(axis(ctx), Math.max(1, shape.length), "Softmax");
                    int outer = 1;
                    int dim = 1;
                    int inner = 1;
                    for (int i = 0; i < shape.length; i++) {
                        if (i < axis) {
                            outer *= shape[i];
                        } else if (ctx.opset() < 13) {
                            dim *= shape[i];
                        } else if (i == axis) {
                            dim = shape[i];
                        } else {
                            inner *= shape[i];
                        }
                    }
                    float[] x = in[0].floats();
                    float[] y = new float[x.length];
                    for (int o = 0; o < outer; o++) {
                        for (int q = 0; q < inner; q++) {
                            int base = o * dim * inner + q;
                            float max = Float.NEGATIVE_INFINITY;
                            for (int d = 0; d < dim; d++) {
                                max = Math.max(max, x[base + d * inner]);
                            }
                            double sum = 0;
                            for (int d = 0; d < dim; d++) {
                                sum += Math.exp(x[base + d * inner] - max);
                            }
                            for (int d = 0; d < dim; d++) {
                                double shifted = x[base + d * inner] - max;
                                y[base + d * inner] = (float) (log ? shifted - Math.log(sum) : Math.exp(shifted) / sum);
                            }
                        }
                    }
                    return new Tensor[] {Tensor.ofFloats(shape, y)};
                };
            }
        };
    }
}
