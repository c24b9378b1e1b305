#!/usr/bin/env bash
# Compiles benchmark recipes with `tamp compile` (passes, fine-tuning, generated Java compiled and verified on the
# 10,000 test images, SIMD class included) into bench/compiled/<model>.<variant>/, where InferenceBenchmark's
# compiled_<variant> engines load them: the code timed is the code whose accuracy the compile report gives.
# Usage: bench/compile-variants.sh [RECIPE...]   (default: every bench/recipes/fmnist_*.*.recipe with `emit java`)
# Prints, per recipe, the generated class's accuracy on the test split and the stored bytes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
recipes=("$@")
if [ ${#recipes[@]} -eq 0 ]; then
  for f in bench/recipes/fmnist_*.*.recipe; do
    if grep -q '^ *emit java' "$f"; then recipes+=("$f"); fi
  done
fi
mkdir -p bench/compiled
for f in "${recipes[@]}"; do
  name="$(basename "$f" .recipe)"
  out="bench/compiled/$name"
  echo "== $name" >&2
  ./tamp compile "$f" -o "$out" > "bench/compiled/$name.txt"
  python3 - "$out/report.json" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
g = r["generated"]
v = g["verification"]
a = r["accuracy"]
print(f"{sys.argv[2]}: generated class (SIMD {'bound' if g['simd'] else 'absent'}) correct on {v.get('correct', '?')} of "
      f"{v['inputs']} {v['inputsFrom']} images = {100 * v.get('correct', 0) / v['inputs']:.2f} %; reference executor "
      f"{100 * a.get('before', 0):.2f} % -> {100 * a.get('after', 0):.2f} %; max |diff| {v['maxAbsDiff']:.2e}, argmax "
      f"agreement {v['argmaxAgreement']}; weights.tamp {r['totals']['weightsFileBytes']} B")
PY
done
