#!/usr/bin/env bash
# Time of every pass on resnet8 (bench/recipes/resnet8-every-pass.recipe: each pass family on its own layers) through
# `tamp compile --no-eval`, and the whole command's wall time, JVM start included. Usage: bench/every-pass.sh [RUNS].
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs="${1:-3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for i in $(seq "$runs"); do
  start=$(date +%s%N)
  ./tamp compile bench/recipes/resnet8-every-pass.recipe --no-eval -o "$out/r" > "$out/report.txt" 2>/dev/null
  end=$(date +%s%N)
  passes=$(awk '/^passes/{p=1;next} p && NF==0{p=0} p{sum+=$2} END{printf "%.2f", sum}' "$out/report.txt")
  echo "run $i: passes ${passes} s, command $(( (end - start) / 1000000 )) ms"
done
sed -n '/^passes/,/^$/p' "$out/report.txt"
