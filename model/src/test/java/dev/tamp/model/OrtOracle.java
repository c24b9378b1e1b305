package dev.tamp.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tamp.model.ir.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/** ONNX Runtime's Java API as the test oracle: one intra-op thread, basic graph optimizations. */
public final class OrtOracle implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    private OrtOracle(OrtSession session) {
        this.session = session;
    }

    public static OrtOracle open(Path model) throws OrtException {
        return open(model, 1);
    }

    public static OrtOracle open(Path model, int threads) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            return new OrtOracle(env.createSession(model.toString(), options));
        }
    }

    public static OrtOracle open(byte[] model) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            return new OrtOracle(env.createSession(model, options));
        }
    }

    public String inputName() {
        return session.getInputNames().iterator().next();
    }

    /** Runs the single-input model and returns its first output, flattened. */
    public float[] run(Tensor input) throws OrtException {
        long[] shape = new long[input.rank()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = input.dim(i);
        }
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.floats()), shape);
                OrtSession.Result r = session.run(Map.of(inputName(), t))) {
            OnnxTensor out = (OnnxTensor) r.get(0);
            FloatBuffer fb = out.getFloatBuffer();
            float[] data = new float[fb.remaining()];
            fb.get(data);
            return data;
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
