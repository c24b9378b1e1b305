#!/usr/bin/env bash
# Full Fashion-MNIST test-set accuracy of the reference models after the issue's compressions (docs/BENCHMARKS.md).
# Usage: optimizer/scripts/accuracy-bench.sh [model:recipe ...]; recipes: none, int8, kmeans16, kmeans16-30, prune50,
# prune50-layer. With --large [side] [repetitions]: times the numerics on one side x side layer instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -o -pl optimizer -am install -DskipTests -Dtamp.skipNode
mvn -B -q -o -pl optimizer test-compile
mvn -B -q -o -pl optimizer dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
CP="optimizer/target/classes:optimizer/target/test-classes:$(cat optimizer/target/bench.classpath)"
if [ "${1:-}" = "--large" ]; then
  shift
  exec java -Xmx6g -cp "$CP" dev.tamp.optimizer.numerics.LargeLayerBench "$@"
fi
if [ "$#" -eq 0 ]; then
  set -- fmnist_resnet8:prune50 fmnist_resnet8:prune50-layer fmnist_lenet5:prune50-layer fmnist_lenet300_100:prune50-layer \
    fmnist_lenet300_100:kmeans16-30 fmnist_lenet5:kmeans16-30 fmnist_resnet8:kmeans16-30
fi
java -Xmx2g -cp "$CP" dev.tamp.optimizer.pass.AccuracyBench "$@"
