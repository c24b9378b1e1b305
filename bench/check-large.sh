#!/usr/bin/env bash
# End-to-end time of `tamp check` on a generated 10,000-line recipe, JVM start included: the user's wait.
# Usage: bench/check-large.sh [LINES] [RUNS]. Prints each run and the median, for a valid recipe and one with
# a mistake in every tenth statement.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
lines="${1:-10000}"
runs="${2:-7}"
mvn -B -q -Dstyle.color=never -DskipTests -pl cli,bench -am package >&2
gen() { java -cp bench/target/benchmarks.jar dev.tamp.bench.LargeRecipe "$@"; }
for variant in valid errors; do
  file="$root/large-$variant.recipe"
  if [ "$variant" = errors ]; then gen "$file" "$lines" --errors; else gen "$file" "$lines"; fi
  times=()
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    ./tamp check --quiet "$file" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  echo "$variant: $(wc -l < "$file") lines, runs (ms): ${times[*]}, median $(( sorted[runs / 2] )) ms"
  rm -f "$file"
done
