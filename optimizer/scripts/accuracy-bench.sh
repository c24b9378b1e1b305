#!/usr/bin/env bash
# Full Fashion-MNIST test-set accuracy of the reference models after the issue's compressions (docs/BENCHMARKS.md).
# Usage: optimizer/scripts/accuracy-bench.sh [model:recipe ...]; recipes: none, int8, kmeans16, prune50, prune50-layer
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -o -pl optimizer -am install -DskipTests -Dtamp.skipNode
mvn -B -q -o -pl optimizer test-compile
mvn -B -q -o -pl optimizer dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
if [ "$#" -eq 0 ]; then
  set -- fmnist_resnet8:prune50 fmnist_resnet8:prune50-layer fmnist_lenet5:prune50-layer fmnist_lenet300_100:prune50-layer \
    fmnist_lenet300_100:kmeans16-30 fmnist_lenet5:kmeans16-30 fmnist_resnet8:kmeans16-30
fi
java -Xmx2g -cp "optimizer/target/classes:optimizer/target/test-classes:$(cat optimizer/target/bench.classpath)" \
  dev.tamp.optimizer.pass.AccuracyBench "$@"
