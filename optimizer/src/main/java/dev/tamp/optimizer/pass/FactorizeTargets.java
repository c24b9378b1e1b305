package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ir.Settings;
import dev.tamp.optimizer.numerics.TruncatedSvd;

/** The rank or energy a {@code factorize} statement asks of one layer, shared by the three factorize passes. */
final class FactorizeTargets {
    private FactorizeTargets() {}

    /**
     * {@code energy} when given (the schema forbids giving it with an explicit rank), else the explicit {@code rank};
     * {@code rank=auto} without an energy is the planner's to resolve, so it is refused.
     */
    static TruncatedSvd.Target of(String layer, Settings settings) {
        if (settings.get("energy").isPresent()) {
            return new TruncatedSvd.Target.Energy(settings.number("energy"));
        }
        if (settings.get("rank").isEmpty() || settings.isAuto("rank")) {
            throw new IllegalArgumentException(layer + ": rank is auto; the planner chooses it first (or give energy)");
        }
        double rank = settings.number("rank");
        if (rank != Math.rint(rank) || rank < 1) {
            throw new IllegalArgumentException(layer + ": rank must be a positive whole number, got " + rank);
        }
        return new TruncatedSvd.Target.Rank((int) rank);
    }

    /** A rank capped by a side of the decomposed matrix, refused with the layer's name when it exceeds it. */
    static int checkedRank(String layer, int rank, int side, String what) {
        if (rank > side) {
            throw new IllegalArgumentException(layer + ": rank " + rank + " exceeds " + what + " (" + side + ")");
        }
        return rank;
    }
}
