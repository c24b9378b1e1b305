#!/usr/bin/env bash
# Plain Java GEMM vs ND4J's on the reference models' products (see docs/BENCHMARKS.md).
# Usage: model/scripts/gemm-bench.sh [threads=1] [seconds-per-cell=1.0]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -pl model -am test-compile -DskipTests
mvn -B -q -pl model dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
# One OpenMP/BLAS thread per call: the benchmark, like the executor, runs its own threads.
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 java -Xmx4g \
  -cp "model/target/classes:model/target/test-classes:$(cat model/target/bench.classpath)" \
  dev.tamp.model.bench.GemmBenchmark "$@"
