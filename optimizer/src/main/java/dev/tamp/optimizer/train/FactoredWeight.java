package dev.tamp.optimizer.train;

import dev.tamp.model.ir.Factored;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ops.Parallelism;
import java.util.List;

/**
 * A low-rank weight {@code W = U V} (matrix view {@code m x n}, U {@code m x r}, V {@code r x n}) trained as two
 * factors by the chain rule: {@code dU = dW V^T}, {@code dV = U^T dW}. The rank and layout never change.
 *
 * <p>The dense weight the layers use is {@code U V} in float32 GEMM arithmetic, whereas {@link Factored#materialize()}
 * sums in double; the two differ by float rounding of rank-length sums, well inside what training perturbs anyway.
 */
public final class FactoredWeight extends TrainableWeight {
    private final int m;
    private final int n;
    private final int rank;
    private final Factored.Layout layout;
    private final Parameter u;
    private final Parameter v;

    public FactoredWeight(String name, Factored f) {
        super(name, f.dims(), new float[f.u().length / f.rank() * (f.v().length / f.rank())]);
        this.rank = f.rank();
        this.m = f.u().length / rank;
        this.n = f.v().length / rank;
        this.layout = f.layout();
        this.u = new Parameter(name + "/u", f.u(), new float[m * rank]);
        this.v = new Parameter(name + "/v", f.v(), new float[rank * n]);
        materialize(Parallelism.sequential());
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(u, v);
    }

    @Override
    public void pullGradient(Parallelism par) {
        float[] dw = denseGrad();
        float[][] du = Products.multiply(par, m, rank, n, dw, Products.transposeRows(v.value(), rank, n));
        Products.addInto(du, u.grad());
        float[][] dv = Products.multiply(par, rank, n, m, Products.transpose(u.value(), m, rank),
                Products.rows(dw, m, n));
        Products.addInto(dv, v.grad());
    }

    @Override
    public void afterStep(Parallelism par) {
        materialize(par);
    }

    private void materialize(Parallelism par) {
        Products.copyInto(Products.multiply(par, m, n, rank, u.value(), Products.rows(v.value(), rank, n)), dense());
    }

    @Override
    public Representation toRepresentation() {
        return new Factored(dims(), rank, u.value().clone(), v.value().clone(), layout);
    }
}
