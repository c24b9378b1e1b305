#!/usr/bin/env bash
# Tool time and peak memory of `tamp compile` on a 25.5 M-parameter ResNet-50-shaped model (docs/BENCHMARKS.md):
# builds the bench jar, writes the model with random weights, and runs the compile under /usr/bin/time -v.
# Usage: bench/scale.sh [extra tamp compile options]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o -pl bench -am package -DskipTests -Dtamp.skipNode
java -cp bench/target/benchmarks.jar dev.tamp.bench.ResNet50Onnx bench/target/resnet50-random.onnx 1
./tamp check bench/recipes/resnet50-25m.recipe >/dev/null   # builds the CLI if needed, outside the timing
/usr/bin/time -v ./tamp compile bench/recipes/resnet50-25m.recipe -o bench/target/resnet50-out "$@" \
  2> >(tee bench/target/resnet50-time.txt >&2)
grep -E "Elapsed|Maximum resident" bench/target/resnet50-time.txt
