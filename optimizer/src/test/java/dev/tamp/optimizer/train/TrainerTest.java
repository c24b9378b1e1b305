package dev.tamp.optimizer.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.model.data.Evaluation;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Sparse;
import dev.tamp.optimizer.pass.CorePasses;
import dev.tamp.optimizer.pass.TestContexts;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The training loop: determinism, schedules, progress reports, and accuracy recovered after pruning. */
class TrainerTest {
    @Test
    void sameSeedGivesBitIdenticalWeightsWhateverTheThreadsAndAnotherSeedDoesNot() {
        Graph lenet5 = TrainingFixtures.model("fmnist_lenet5");
        LabeledImages data = TrainingFixtures.train().slice(0, 512);
        TrainingOptions options = TrainingOptions.defaults().withBatch(64).withThreads(2).withSeed(7);
        Graph a = Trainer.train(lenet5, data, Preprocessing.unitScale(), options, TrainingListener.none());
        Graph b = Trainer.train(lenet5, data, Preprocessing.unitScale(), options.withThreads(1),
                TrainingListener.none());
        Graph c = Trainer.train(lenet5, data, Preprocessing.unitScale(), options.withSeed(8), TrainingListener.none());
        assertThat(b.weights()).isEqualTo(a.weights());
        assertThat(c.weights()).isNotEqualTo(a.weights());
        assertThat(a.weights()).isNotEqualTo(lenet5.weights());
    }

    @Test
    void schedulesFollowTheirDefinitions() {
        LearningRateSchedule step = new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 0.1, 10, 0.5, 100);
        assertThat(step.at(0)).isEqualTo(0.1);
        assertThat(step.at(9)).isEqualTo(0.1);
        assertThat(step.at(10)).isEqualTo(0.05);
        assertThat(step.at(25)).isEqualTo(0.025);
        LearningRateSchedule cosine = new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 0.1, 1, 1, 100);
        assertThat(cosine.at(0)).isEqualTo(0.1);
        assertThat(cosine.at(50)).isCloseTo(0.05, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(cosine.at(100)).isZero();
        assertThat(new LearningRateSchedule(LearningRateSchedule.Kind.CONSTANT, 0.1, 1, 1, 10).at(7)).isEqualTo(0.1);
    }

    @Test
    void progressIsReportedPerStepAndEpochAndStopIsHonoured() {
        Graph lenet300 = TrainingFixtures.model("fmnist_lenet300_100");
        LabeledImages data = TrainingFixtures.train().slice(0, 1000);
        List<TrainingListener.Step> steps = new ArrayList<>();
        List<TrainingListener.Epoch> epochs = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onStep(Step step) {
                steps.add(step);
            }

            @Override
            public void onEpoch(Epoch epoch) {
                epochs.add(epoch);
            }
        };
        // 1,000 images in batches of 300: 4 steps per epoch (the last of 100), 1.5 epochs = 6 steps.
        Trainer.train(lenet300, data, Preprocessing.unitScale(), TrainingOptions.defaults().withBatch(300)
                .withEpochs(1.5), listener);
        assertThat(steps).extracting(TrainingListener.Step::step).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(steps).allSatisfy(s -> assertThat(s.totalSteps()).isEqualTo(6));
        assertThat(epochs).extracting(TrainingListener.Epoch::steps).containsExactly(4, 2);
        assertThat(steps.get(0).learningRate()).isEqualTo(1e-3);
        assertThat(steps.get(0).loss()).isPositive();

        int[] seen = {0};
        Graph stopped = Trainer.train(lenet300, data, Preprocessing.unitScale(), TrainingOptions.defaults()
                .withBatch(100), new TrainingListener() {
                    @Override
                    public void onStep(Step step) {
                        seen[0]++;
                    }

                    @Override
                    public boolean stopRequested() {
                        return seen[0] == 3;
                    }
                });
        assertThat(seen[0]).isEqualTo(3);
        assertThat(stopped.weights()).isNotEqualTo(lenet300.weights());
    }

    /**
     * Magnitude-pruning every layer of LeNet-300-100 to 90 % one-shot costs most of its accuracy (89.75 % dense);
     * two epochs of masked fine-tuning (Adam 1e-3, cosine, batch 32) on the bundled 6,000-image subset recover most
     * of it. Measured (deterministic for this seed and 2 threads): 33.50 % one-shot, 83.56 % fine-tuned. The peer's
     * 88.89 % used the full 60k training set for 3 epochs per step; the bounds leave one point under the measured
     * figures and require the sparsity pattern to be unchanged.
     */
    @Test
    void finetuningRecoversMostAccuracyAfterNinetyPercentPruning() {
        Model model = new Model(TrainingFixtures.model("fmnist_lenet300_100"), "", "", 0);
        Model pruned = CorePasses.PRUNE_MAGNITUDE.apply(model, TestContexts.allLayers(model.graph(), PassKind.PRUNE,
                TestContexts.settings(PassKind.PRUNE, "sparsity", 0.9)));
        double oneShot = accuracy(pruned.graph());
        TrainingOptions options = TrainingOptions.defaults().withEpochs(2).withBatch(32).withThreads(2).withSeed(1);
        Graph tuned = Trainer.train(pruned.graph(), TrainingFixtures.train(), Preprocessing.unitScale(), options,
                TrainingListener.none());
        double recovered = accuracy(tuned);
                for (String name : List.of("fc1.weight", "fc2.weight", "fc3.weight")) {
            Sparse before = (Sparse) pruned.graph().weights().get(name).representation();
            Sparse after = (Sparse) tuned.weights().get(name).representation();
            assertThat(after.positions()).as(name).isEqualTo(before.positions());
        }
        assertThat(oneShot).isLessThan(0.345);
        assertThat(recovered).isGreaterThan(0.825).isGreaterThan(oneShot + 0.45);
    }

    private static double accuracy(Graph g) {
        try (Executor e = Executor.create(g, 2)) {
            return Evaluation.evaluate(e, TrainingFixtures.test(), Preprocessing.unitScale(), 500, false).accuracy();
        }
    }
}
