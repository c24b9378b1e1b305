#!/usr/bin/env bash
# Batch-1, one-thread latency of the tamp-generated model classes against ONNX Runtime (fp32 and its int8 files),
# all in one JMH run, then a side-by-side table with ratios to ONNX Runtime fp32.
# Usage: bench/inference.sh [extra JMH options, e.g. -p model=fmnist_lenet5 -f 1 -wi 2 -i 3]
# Defaults (in InferenceBenchmark): 2 forks x (4 x 1 s warm-up + 5 x 1 s measurement) per configuration, about
# 4 minutes for 3 models x 4 engines.
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
models = sorted({m for m, _ in score}, key=lambda m: ["fmnist_lenet300_100", "fmnist_lenet5", "fmnist_resnet8"].index(m)
                if m in ("fmnist_lenet300_100", "fmnist_lenet5", "fmnist_resnet8") else 9)
print("| model | " + " | ".join(f"{e} (us)" for e in engines) + " | " +
      " | ".join(f"{e} / ort_fp32" for e in engines if e != "ort_fp32") + " |")
print("|---|" + "---:|" * (2 * len(engines) - 1))
for m in models:
    cells = []
    for e in engines:
        s = score.get((m, e))
        cells.append(f"{s[0]:.1f} ± {s[1]:.1f}" if s else "-")
    ref = score.get((m, "ort_fp32"))
    ratios = []
    for e in engines:
        if e == "ort_fp32":
            continue
        s = score.get((m, e))
        ratios.append(f"{s[0] / ref[0]:.2f}x" if s and ref else "-")
    print(f"| {m} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
PY
