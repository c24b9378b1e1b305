package dev.tamp.codegen.java;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.optimizer.plan.CostModel;
import org.junit.jupiter.api.Test;

/** The cost model prices the kernels this module emits: the rules it mirrors must be the emitter's. */
class CostModelAgreementTest {
    @Test
    void theSparseGemmCrossoverIsTheEmittersOwn() {
        assertThat(CostModel.SPARSE_GATHER_MAX_DENSITY).isEqualTo(CompressedKernels.SPARSE_GATHER_MAX_DENSITY);
    }
}
