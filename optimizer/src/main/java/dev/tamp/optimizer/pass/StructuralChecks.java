package dev.tamp.optimizer.pass;

/** The option checks the structural pruning passes share. */
final class StructuralChecks {
    private StructuralChecks() {}

    /** Refuses what a one-step structural pass cannot honour: an auto sparsity, a schedule other than oneshot. */
    static void oneShotWithSparsity(WeightTargets.Target t, String passName) {
        String name = t.node().name();
        if (t.settings().isAuto("sparsity")) {
            throw new IllegalArgumentException(name + ": sparsity is auto; the planner chooses it first");
        }
        String schedule = t.settings().get("schedule").map(s -> t.settings().word("schedule")).orElse("oneshot");
        if (!schedule.equals("oneshot")) {
            throw new IllegalArgumentException(name + ": schedule '" + schedule + "' is run by the fine-tuning "
                    + "driver, not by " + passName + ", which removes everything in one step");
        }
    }
}
