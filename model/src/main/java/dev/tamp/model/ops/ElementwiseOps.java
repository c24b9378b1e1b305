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
            case "Sin":
                return x -> (float) Math.sin(x);
            case "Cos":
                return x -> (float) Math.cos(x);
            case "Tan":
                return x -> (float) Math.tan(x);
            case "Asin":
                return x -> (float) Math.asin(x);
            case "Acos":
                return x -> (float) Math.acos(x);
            case "Atan":
                return x -> (float) Math.atan(x);
            case "Sinh":
                return x -> (float) Math.sinh(x);
            case "Cosh":
                return x -> (float) Math.cosh(x);
            case "Asinh":
                return x -> (float) (Math.log(x + Math.sqrt((double) x * x + 1)));
            case "Acosh":
                return x -> (float) (Math.log(x + Math.sqrt((double) x * x - 1)));
            case "Atanh":
                return x -> (float) (0.5 * Math.log((1.0 + x) / (1.0 - x)));
            case "Erf":
                return x -> (float) erf(x);
            case "Sign":
                return x -> Math.signum(x);
            case "Round":
                // ONNX rounds halves to even, as Math.rint does.
                return x -> (float) Math.rint(x);
            case "Selu": {
                float alpha = a.getFloat("alpha", 1.67326319217681884765625f);
                float gamma = a.getFloat("gamma", 1.05070102214813232421875f);
                return x -> x > 0f ? gamma * x : (float) (gamma * (alpha * Math.exp(x) - alpha));
            }
            case "Celu": {
                float alpha = a.getFloat("alpha", 1f);
                return x -> (float) (Math.max(0.0, x) + Math.min(0.0, alpha * (Math.exp(x / alpha) - 1.0)));
            }
            case "ThresholdedRelu": {
                float alpha = a.getFloat("alpha", 1f);
                return x -> x > alpha ? x : 0f;
            }
            case "Mish":
                return x -> (float) (x * Math.tanh(Math.log1p(Math.exp(x))));
            case "Gelu": {
                String approximate = a.getString("approximate", "none");
                if (approximate.equals("tanh")) {
                    return x -> (float) (0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))));
                }
                if (!approximate.equals("none")) {
                    throw ctx.unsupported("approximate=" + approximate);
                }
                return x -> (float) (0.5 * x * (1 + erf(x / Math.sqrt(2))));
            }
            case "Shrink": {
                float bias = a.getFloat("bias", 0f);
                float lambd = a.getFloat("lambd", 0.5f);
                return x -> x < -lambd ? x + bias : x > lambd ? x - bias : 0f;
            }
            case "Identity":
                return x -> x;
            default:
                throw ctx.unsupported("no element-wise function");
        }
    }

    /**
     * The error function (Java has none): the Maclaurin series below 2.5 and the continued fraction of erfc above,
     * both in double precision, far more exact than the float32 results need (checked in {@code ErfTest}).
     */
    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) {
            // Maclaurin series: converges quickly for |x| < 2.5 (terms fall below 1e-17 within 60 steps).
            double term = ax;
            double sum = ax;
            double x2 = ax * ax;
            for (int n = 1; n < 100; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // Continued fraction for erfc, evaluated bottom-up; accurate for |x| >= 2.5.
            double f = 0;
            for (int n = 60; n >= 1; n--) {
                f = n / 2.0 / (ax + f);
            }
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
        }
        return x < 0 ? -r : r;
    }

    static final Map<String, FloatBinary> BINARY = Map.of(
            "Add", (x, y) -> x + y,
            "Sub", (x, y) -> x - y,
            "Mul", (x, y) -> x * y,
            "Div", (x, y) -> x / y,
            "Pow", (x, y) -> (float) Math.pow(x, y),
            "PRelu", (x, slope) -> x < 0f ? slope * x : x);

    /** Add, Sub, Mul, Div, Pow and PRelu with multidirectional broadcasting. */
    static Operator binary() {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                ctx.allowAttributes();
                if (ctx.node().opType().equals("PRelu") && ctx.opset() < 7) {
                    throw ctx.unsupported("PRelu before opset 7 (per-channel legacy broadcasting)");
                }
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
