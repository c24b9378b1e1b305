package dev.tamp.optimizer.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.Settings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rounds of gradual (AGP) and iterative pruning: sparsities and retraining epochs. */
class PruningScheduleTest {
    private static Settings prune(String schedule, double initial, double sparsity, Double span, int steps) {
        Map<String, Setting> v = new LinkedHashMap<>();
        v.put("method", new Setting.Word("magnitude", Optional.empty()));
        v.put("schedule", new Setting.Word(schedule, Optional.empty()));
        v.put("initial", new Setting.Num(initial, Optional.empty(), true));
        v.put("sparsity", new Setting.Num(sparsity, Optional.empty(), true));
        v.put("steps", new Setting.Num(steps, Optional.empty()));
        if (span != null) {
            v.put("span", new Setting.Num(span, Optional.empty()));
        }
        return new Settings(v);
    }

    @Test
    void gradualFollowsTheCubicRampOverTheSpanThenTrainsTheRestAtTheTarget() {
        var rounds = PruningSchedule.rounds(Map.of("fc1", prune("gradual", 0.1, 0.9, 5.0, 3)), 8);
        assertThat(rounds).hasSize(PruningSchedule.GRADUAL_ROUNDS);
        for (int r = 1; r <= rounds.size(); r++) {
            double t = (double) r / rounds.size();
            assertThat(rounds.get(r - 1).sparsity().get("fc1")).isCloseTo(0.9 + (0.1 - 0.9) * Math.pow(1 - t, 3),
                    within(1e-12));
        }
        assertThat(rounds.get(rounds.size() - 1).sparsity().get("fc1")).isEqualTo(0.9);
        // The span's five epochs in ten rounds, and the last round also trains the three epochs after the span.
        assertThat(rounds.get(0).epochs()).isEqualTo(0.5);
        assertThat(rounds.get(rounds.size() - 1).epochs()).isEqualTo(3.5);
        assertThat(rounds.stream().mapToDouble(PruningSchedule.Round::epochs).sum()).isCloseTo(8, within(1e-12));
        // Sparsity never decreases from one round to the next.
        for (int r = 1; r < rounds.size(); r++) {
            assertThat(rounds.get(r).sparsity().get("fc1")).isGreaterThanOrEqualTo(rounds.get(r - 1).sparsity()
                    .get("fc1"));
        }
    }

    @Test
    void withoutRetrainingAScheduleIsOneStepToItsFinalSparsity() {
        var context = new dev.tamp.optimizer.pass.PassContext(1, Map.of(dev.tamp.compiler.ast.PassKind.PRUNE,
                Map.of("fc1", prune("gradual", 0.1, 0.9, null, 3), "fc2", prune("oneshot", 0, 0.5, null, 1))));
        var once = PruningSchedule.oneShot(context);
        Settings fc1 = once.layers(dev.tamp.compiler.ast.PassKind.PRUNE).get("fc1");
        assertThat(fc1.word("schedule")).isEqualTo("oneshot");
        assertThat(fc1.number("sparsity")).isEqualTo(0.9);
        assertThat(once.layers(dev.tamp.compiler.ast.PassKind.PRUNE).get("fc2").number("sparsity")).isEqualTo(0.5);
        var plain = new dev.tamp.optimizer.pass.PassContext(1, Map.of(dev.tamp.compiler.ast.PassKind.PRUNE,
                Map.of("fc2", prune("oneshot", 0, 0.5, null, 1))));
        assertThat(PruningSchedule.oneShot(plain)).isSameAs(plain);
    }

    @Test
    void iterativeStepsLinearlyAndRetrainsTheWholeRunAfterEachStep() {
        List<PruningSchedule.Round> rounds = PruningSchedule.rounds(Map.of("fc1", prune("iterative", 0, 0.9, null, 3)),
                2);
        assertThat(rounds).extracting(r -> r.sparsity().get("fc1")).containsExactly(0.3, 0.6, 0.9);
        assertThat(rounds).extracting(PruningSchedule.Round::epochs).containsExactly(2.0, 2.0, 2.0);
    }
}
