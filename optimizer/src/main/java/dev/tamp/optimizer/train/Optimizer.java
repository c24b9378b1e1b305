package dev.tamp.optimizer.train;

import dev.tamp.model.ops.Parallelism;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters in place from their gradients, with PyTorch's semantics so that hyper-parameters carry over:
 * L2 weight decay is added to the gradient ({@code g + wd w}) before momentum or moments. Element-wise, so splitting
 * the elements over threads never changes a result.
 */
public abstract sealed class Optimizer permits Optimizer.Sgd, Optimizer.Adam {
    private static final int PARALLEL_MIN = 1 << 14;

    /** Applies one step with learning rate {@code lr} to every parameter. */
    public final void step(List<Parameter> parameters, double lr, Parallelism par) {
        beginStep();
        for (Parameter p : parameters) {
            float[][] state = state(p);
            double rate = lr * p.rate();
            if (p.size() >= PARALLEL_MIN) {
                par.forRange(p.size(), (from, to) -> update(p, state, rate, from, to));
            } else {
                update(p, state, rate, 0, p.size());
            }
        }
    }

    private final Map<Parameter, float[][]> states = new IdentityHashMap<>();

    private float[][] state(Parameter p) {
        return states.computeIfAbsent(p, k -> newState(k.size()));
    }

    abstract float[][] newState(int size);

    void beginStep() {}

    abstract void update(Parameter p, float[][] state, double lr, int from, int to);

    /** SGD with momentum {@code mu}: {@code b = mu b + g; w -= lr b} (plain SGD when {@code mu = 0}). */
    public static Sgd sgd(double momentum, double weightDecay) {
        return new Sgd(momentum, weightDecay);
    }

    /** Adam (Kingma and Ba 2015) with beta1 0.9, beta2 0.999, eps 1e-8, PyTorch's bias correction. */
    public static Adam adam(double weightDecay) {
        return new Adam(0.9, 0.999, 1e-8, weightDecay);
    }

    public static final class Sgd extends Optimizer {
        private final float momentum;
        private final float weightDecay;

        Sgd(double momentum, double weightDecay) {
            if (!(momentum >= 0 && momentum < 1) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("need momentum in [0, 1) and weight decay >= 0");
            }
            this.momentum = (float) momentum;
            this.weightDecay = (float) weightDecay;
        }

        @Override
        float[][] newState(int size) {
            return new float[][] {momentum == 0 ? null : new float[size]};
        }

        @Override
        void update(Parameter p, float[][] state, double lr, int from, int to) {
            float[] w = p.value();
            float[] g = p.grad();
            float[] b = state[0];
            float rate = (float) lr;
            for (int i = from; i < to; i++) {
                float d = g[i] + weightDecay * w[i];
                if (b != null) {
                    b[i] = momentum * b[i] + d;
                    d = b[i];
                }
                w[i] -= rate * d;
            }
        }
    }

    public static final class Adam extends Optimizer {
        private final float beta1;
        private final float beta2;
        private final float eps;
        private final float weightDecay;
        private int t;

        Adam(double beta1, double beta2, double eps, double weightDecay) {
            if (!(weightDecay >= 0)) {
                throw new IllegalArgumentException("weight decay must be >= 0");
            }
            this.beta1 = (float) beta1;
            this.beta2 = (float) beta2;
            this.eps = (float) eps;
            this.weightDecay = (float) weightDecay;
        }

        @Override
        void beginStep() {
            t++;
        }

        @Override
        float[][] newState(int size) {
            return new float[][] {new float[size], new float[size]};
        }

        @Override
        void update(Parameter p, float[][] state, double lr, int from, int to) {
            float[] w = p.value();
            float[] g = p.grad();
            float[] m = state[0];
            float[] v = state[1];
            double correction1 = 1 - Math.pow(beta1, t);
            double correction2 = 1 - Math.pow(beta2, t);
            float stepSize = (float) (lr / correction1);
            float rootCorrection2 = (float) Math.sqrt(correction2);
            float oneMinusBeta1 = 1 - beta1;
            float oneMinusBeta2 = 1 - beta2;
            for (int i = from; i < to; i++) {
                float d = g[i] + weightDecay * w[i];
                m[i] = beta1 * m[i] + oneMinusBeta1 * d;
                v[i] = beta2 * v[i] + oneMinusBeta2 * d * d;
                float denom = (float) Math.sqrt(v[i]) / rootCorrection2 + eps;
                w[i] -= stepSize * m[i] / denom;
            }
        }
    }
}
