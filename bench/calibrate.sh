#!/usr/bin/env bash
# The cost model against the generated kernels: probes this machine (`tamp target probe`, unless TARGET names a spec
# already probed), then times every kernel variant the code generator emits on the layers of the reference models
# and a few odd shapes, and prints predicted and measured µs per call with the error (KernelCalibration's Javadoc).
# Usage: bench/calibrate.sh [--only REGEX] [--quick]      (TARGET=FILE to reuse a probe, SKIP_BUILD=1 to not build)
# -Xbatch: the timed thread waits for C2 to compile what it runs, so a loaded machine cannot leave a kernel
# interpreted (or a Vector API kernel on its boxing fallback) when its timing starts. About 5 minutes on 2 cores; docs/BENCHMARKS.md ("Cost model calibration") has a run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ -z "${SKIP_BUILD:-}" ]; then
  mvn -B -q -o -Dstyle.color=never -DskipTests -Dtamp.skipNode -pl bench,cli -am package >&2
fi
target="${TARGET:-bench/target/host.target}"
if [ -z "${TARGET:-}" ]; then
  ./tamp target probe -o "$target" >&2
fi
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load average before $(cut -d' ' -f1-3 /proc/loadavg)"
grep -E '^\s+(fp32|bandwidth|cores)' "$target" | sed 's/^ */target: /'
java -Xmx2g -Xbatch --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.tamp.bench.KernelCalibration \
  --target "$target" "$@" 2> >(grep -v 'WARNING: Using incubator modules' >&2)
echo "load average after $(cut -d' ' -f1-3 /proc/loadavg)"
