#!/usr/bin/env bash
# Executor vs ONNX Runtime throughput on the Fashion-MNIST test set (see docs/BENCHMARKS.md).
# Usage: model/scripts/bench.sh [images=10000] [executor-threads=1]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -pl model -am test-compile -DskipTests
mvn -B -q -pl model dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 java -Xmx4g -cp "model/target/classes:model/target/test-classes:$(cat model/target/bench.classpath)" \
  dev.tamp.model.bench.ExecutorBenchmark "$@"
