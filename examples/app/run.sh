#!/usr/bin/env bash
# Compiles the tutorial's application with the Java tamp generated for examples/lenet5-no-retraining.recipe and runs
# it on the bundled Fashion-MNIST test images (docs/tutorial.md). Run `./tamp compile
# examples/lenet5-no-retraining.recipe` first.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=tamp-out/lenet5_no_retraining
[ -f "$out/java/tamp/example/Lenet5NoRetraining.java" ] || {
  echo "run ./tamp compile examples/lenet5-no-retraining.recipe first" >&2; exit 1; }
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
javac --release 8 -Xlint:all,-options -Werror -d "$build" \
  examples/app/FashionApp.java "$out/java/tamp/example/Lenet5NoRetraining.java"
java -cp "$build" FashionApp "$out/weights.tamp" \
  data/fashion-mnist/t10k-images-idx3-ubyte.gz data/fashion-mnist/t10k-labels-idx1-ubyte.gz "$@"
