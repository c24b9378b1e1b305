#!/usr/bin/env bash
# Dense vs FFT product by an n x n circulant (docs/BENCHMARKS.md). Usage: optimizer/scripts/circulant-bench.sh
# [sides, default 256,1024,4096] [timed products per side, default 200]. Builds through the reactor (no install).
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -o -pl optimizer -am test-compile dependency:build-classpath -Dtamp.skipNode -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath
CP="optimizer/target/classes:optimizer/target/test-classes:$(cat optimizer/target/bench.classpath)"
exec java -Xmx2g -cp "$CP" dev.tamp.optimizer.numerics.CirculantBench "$@"
