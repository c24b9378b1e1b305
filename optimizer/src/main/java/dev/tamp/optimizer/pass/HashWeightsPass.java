package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.ir.Hashed;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.numerics.HashProjection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ties each selected layer's weights into a table of shared values through a hash ({@code hash buckets=...},
 * HashedNets, Chen et al. 2015): element k reads sign(k) times bucket h(k), with {@link Hashed}'s hashes seeded by the
 * recipe seed and the sign hash on, as the paper does; each bucket is the least-squares value, the mean of the
 * sign-corrected weights hashed into it. {@code buckets} is a count (a whole number, at most the layer's weights) or
 * a fraction f of the layer's n weights, giving {@code max(1, round(f n))} buckets.
 */
public final class HashWeightsPass implements Pass {
    private static final PassInfo INFO = new PassInfo("hash-weights",
            "Tie weights through a signed hash into a table of shared values, each the mean of its weights.",
            PassKind.HASH, "", List.of("buckets"),
            List.of("layers-hashed", "layers-skipped", "buckets-empty", "bytes-before", "bytes-after"));

    @Override
    public PassInfo info() {
        return INFO;
    }

    @Override
    public Model apply(Model model, PassContext context) {
        Map<String, Weight> replaced = new LinkedHashMap<>();
        for (WeightTargets.Target t : WeightTargets.select(model, context, INFO)) {
            int n = t.tensor().size();
            int buckets = buckets(t.node().name(), t.settings(), n);
            Hashed h = HashProjection.fit(t.tensor().shape(), t.tensor().floats(), context.seed(), true, buckets);
            replaced.put(t.weightName(), new Weight(t.weightName(), h));
            context.count("layers-hashed", 1);
            context.count("buckets-empty", HashProjection.emptyBuckets(h, n));
            context.count("bytes-before", 4L * n);
            context.count("bytes-after", h.storedBytes());
        }
        return WeightTargets.replace(model, replaced);
    }

    /** The table size a layer of {@code n} weights gets. */
    static int buckets(String layer, Settings settings, int n) {
        if (settings.isAuto("buckets")) {
            throw new IllegalArgumentException(layer + ": buckets is auto; the planner chooses it first");
        }
        double value = settings.number("buckets");
        if (settings.isFraction("buckets")) {
            if (!(value > 0 && value <= 1)) {
                throw new IllegalArgumentException(layer + ": buckets fraction must be in (0, 1], got " + value);
            }
            return (int) Math.max(1, Math.round(value * n));
        }
        if (value < 1 || value != Math.rint(value)) {
            throw new IllegalArgumentException(layer + ": buckets must be a positive whole number, got " + value);
        }
        if (value > n) {
            throw new IllegalArgumentException(layer + ": " + (long) value + " buckets for " + n
                    + " weights; a table larger than the layer saves nothing (write 100 % for one as large)");
        }
        return (int) value;
    }
}
