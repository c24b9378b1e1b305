#!/usr/bin/env bash
# Training throughput (images/s, batch 128, Adam, 2 threads) of tamp's fine-tuning engine and of PyTorch on the same
# architectures, run back to back so that both see the same machine load; the ratio is what docs/BENCHMARKS.md records.
# Needs Debian's python3-torch for the PyTorch side (apt-get install -y python3-torch; not needed by the build).
# Uses the full 60k Fashion-MNIST training set when the Debian package dataset-fashion-mnist is installed, else the
# bundled 6k subset. Usage: bench/train-throughput.sh [THREADS] [EPOCHS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
threads="${1:-2}"
epochs="${2:-3}"
data=/usr/share/datasets/fashion-mnist
[ -f "$data/train-images-idx3-ubyte.gz" ] || data="$root/data/fashion-mnist"
mvn -B -q -o -Dstyle.color=never -DskipTests -Dtamp.skipNode -pl bench -am package >&2
py=/usr/bin/python3
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(java -version 2>&1 | head -1); $(date -u +%F)"
run_pair() { # model-name python-name images
  "$py" bench/train_throughput.py "$2" "$data" "$3" "$epochs" "$threads"
  java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.tamp.bench.TrainThroughput "models/$1.onnx" "$data" "$3" "$epochs" "$threads"
}
run_pair fmnist_lenet300_100 lenet300 25600
run_pair fmnist_lenet5 lenet5 6400
