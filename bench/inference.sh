#!/usr/bin/env bash
# Batch-1, one-thread latency of the tamp-generated model classes (dense weights, and the compressed variants of
# bench/recipes/<model>.<variant>.recipe) against ONNX Runtime (fp32 and its int8 files), all in one JMH run, then a
# side-by-side table with ratios to ONNX Runtime fp32 and to the fastest ONNX Runtime variant of each model.
# Usage: bench/inference.sh [extra JMH options, e.g. -p model=fmnist_lenet5 -f 1 -wi 2 -i 3]
# Defaults (in InferenceBenchmark): 2 forks x (4 x 1 s warm-up + 5 x 1 s measurement) per configuration. Each
# compressed variant's setup runs its recipe's passes (OBS on resnet8: about a minute) and leaves the JIT a queue:
# give those 8 warm-up iterations (-wi 8). `-f 1 -wi 8 -i 5` over 3 models x 8 engines takes about 10 minutes.
# The compiled_<variant> engines (-p engine=compiled_l1,...) time what `tamp compile` generated and verified for
# bench/recipes/<model>.<variant>.recipe: run bench/compile-variants.sh first. Their int8 SIMD kernels need about
# 15 warm-up seconds under load (-wi 15).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ -z "${SKIP_BUILD:-}" ]; then
  mvn -B -q -o -Dstyle.color=never -DskipTests -Dtamp.skipNode -pl bench -am package >&2
fi
out="${RESULTS:-bench/target/inference.csv}"
java -jar bench/target/benchmarks.jar 'InferenceBenchmark' -rf csv -rff "$out" "$@"
echo
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
score = {}
engines = []
for r in rows:
    m, e = r["Param: model"], r["Param: engine"]
    score[(m, e)] = (float(r["Score"]), float(r["Score Error (99.9%)"] or "nan"))
    if e not in engines:
        engines.append(e)
order = ["fmnist_lenet300_100", "fmnist_lenet5", "fmnist_resnet8"]
models = sorted({m for m, _ in score}, key=lambda m: order.index(m) if m in order else 9)
print("| model | engine | us per image | / ORT fp32 | / best ORT |")
print("|---|---|---:|---:|---:|")
for m in models:
    ort = [score[(m, e)][0] for e in engines if e.startswith("ort_") and (m, e) in score]
    best = min(ort) if ort else None
    ref = score.get((m, "ort_fp32"))
    for e in engines:
        s = score.get((m, e))
        if not s:
            continue
        r1 = f"{s[0] / ref[0]:.2f}x" if ref else "-"
        r2 = f"{s[0] / best:.2f}x" if best else "-"
        if e.startswith(("tamp_", "compiled_")) and best and s[0] < best:
            r2 = f"**{r2}**"
        print(f"| {m} | {e} | {s[0]:.1f} ± {s[1]:.1f} | {r1} | {r2} |")
PY
