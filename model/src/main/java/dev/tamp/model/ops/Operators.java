package dev.tamp.model.ops;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Every operator of the default ONNX domain that tamp implements, by op type; one holder, no scanning. */
public final class Operators {
    /**
     * Lowest and highest default-domain opset versions tamp reads. Opsets 6 to 8 are accepted because the operators
     * here kept their semantics since then; where an older version had extra attributes (BatchNormalization's
     * {@code spatial}, the legacy {@code broadcast}) the operator rejects them unless they mean the modern behaviour.
     */
    public static final int MIN_OPSET = 6;

    public static final int MAX_OPSET = 21;

    private final Map<String, Operator> byType;

    private Operators(MatrixKernels kernels) {
        Map<String, Operator> m = new TreeMap<>();
        for (String op : new String[] {"Relu", "LeakyRelu", "Elu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish",
                "Abs", "Neg", "Exp", "Log", "Sqrt", "Reciprocal", "Floor", "Ceil", "Softsign", "Softplus", "Sin", "Cos",
                "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Erf", "Sign", "Round", "Selu",
                "Celu", "ThresholdedRelu", "Mish", "Gelu", "Shrink"}) {
            m.put(op, ElementwiseOps.unary(allowed(op)));
        }
        for (String op : new String[] {"Add", "Sub", "Mul", "Div", "Pow", "PRelu"}) {
            m.put(op, ElementwiseOps.binary());
        }
        for (String op : new String[] {"Sum", "Mean", "Max", "Min"}) {
            m.put(op, ReduceOps.variadic());
        }
        for (String op : new String[] {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
                "ReduceSumSquare", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp"}) {
            m.put(op, ReduceOps.reduce());
        }
        m.put("Clip", ElementwiseOps.clip());
        m.put("Softmax", ElementwiseOps.softmax(false));
        m.put("LogSoftmax", ElementwiseOps.softmax(true));
        m.put("Gemm", LinearOps.gemm(kernels));
        m.put("MatMul", LinearOps.matMul(kernels));
        m.put("Conv", ConvOps.conv(kernels));
        m.put("ConvTranspose", new ConvTransposeOp());
        m.put("MaxPool", ConvOps.pool(true));
        m.put("AveragePool", ConvOps.pool(false));
        m.put("GlobalAveragePool", ConvOps.globalPool(false));
        m.put("GlobalMaxPool", ConvOps.globalPool(true));
        m.put("BatchNormalization", ConvOps.batchNorm());
        m.put("Flatten", ShapeOps.flatten());
        m.put("Reshape", ShapeOps.reshape());
        m.put("Transpose", ShapeOps.transpose());
        m.put("Concat", ShapeOps.concat());
        m.put("Squeeze", ShapeOps.squeeze(true));
        m.put("Unsqueeze", ShapeOps.squeeze(false));
        m.put("Identity", ShapeOps.identity());
        m.put("Dropout", ShapeOps.dropout());
        m.put("Constant", ShapeOps.constant());
        m.put("Pad", ShapeOps.pad());
        m.put("Slice", new SliceOp());
        m.put("Shape", ShapeArithmeticOps.shape());
        m.put("Gather", ShapeArithmeticOps.gather());
        m.put("Cast", ShapeArithmeticOps.cast());
        byType = Collections.unmodifiableMap(m);
    }

    private static String[] allowed(String op) {
        switch (op) {
            case "LeakyRelu":
            case "Elu":
                return new String[] {"alpha"};
            case "HardSigmoid":
                return new String[] {"alpha", "beta"};
            case "Selu":
                return new String[] {"alpha", "gamma"};
            case "Celu":
            case "ThresholdedRelu":
                return new String[] {"alpha"};
            case "Gelu":
                return new String[] {"approximate"};
            case "Shrink":
                return new String[] {"bias", "lambd"};
            default:
                return new String[0];
        }
    }

    private static final Operators STANDARD = new Operators(MatrixKernels.defaultKernels());

    /** The operators with the default matrix kernels. */
    public static Operators standard() {
        return STANDARD;
    }

    /** The operators with other matrix kernels, for differential tests and benchmarks. */
    public static Operators withKernels(MatrixKernels kernels) {
        return new Operators(kernels);
    }

    public Optional<Operator> find(String opType) {
        return Optional.ofNullable(byType.get(opType));
    }

    public Set<String> supportedOpTypes() {
        return byType.keySet();
    }
}
