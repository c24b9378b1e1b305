#!/usr/bin/env bash
# Tool time and peak memory of `tamp compile` on a 25.5 M-parameter ResNet-50-shaped model (docs/BENCHMARKS.md):
# builds the bench jar, writes the model with random weights, and runs the compile under /usr/bin/time -v.
# Without --plan: bench/recipes/resnet50-25m.recipe (224x224x3 input, fixed sparsity, no data). With --plan:
# bench/recipes/resnet50-25m-planned.recipe (28x28x1 input, the planner chooses each layer's sparsity on the bundled
# Fashion-MNIST validation images under a size budget).
# Usage: bench/scale.sh [--plan] [extra tamp compile options]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o -pl bench -am package -DskipTests -Dtamp.skipNode
if [ "${1:-}" = "--plan" ]; then
  shift
  java -cp bench/target/benchmarks.jar dev.tamp.bench.ResNet50Onnx bench/target/resnet50-fashion-random.onnx 1 --fashion
  # The bundled Fashion-MNIST with its test split cut to the first 1,000 images: the compile measures accuracy and
  # verifies the generated code on the test split, 64 M MACs per image here.
  python3 - <<'PY'
import gzip, os, shutil, struct
src, dst = "data/fashion-mnist", "bench/target/fashion-mnist-1k"
os.makedirs(dst, exist_ok=True)
for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
    shutil.copyfile(os.path.join(src, name), os.path.join(dst, name))
for name, header, size in (("t10k-images-idx3-ubyte.gz", 16, 784), ("t10k-labels-idx1-ubyte.gz", 8, 1)):
    data = gzip.open(os.path.join(src, name)).read()
    head = bytearray(data[:header])
    struct.pack_into(">I", head, 4, 1000)
    with gzip.GzipFile(os.path.join(dst, name), "wb", mtime=0) as out:
        out.write(bytes(head) + data[header:header + 1000 * size])
PY
  recipe=bench/recipes/resnet50-25m-planned.recipe
  name=resnet50-planned
else
  java -cp bench/target/benchmarks.jar dev.tamp.bench.ResNet50Onnx bench/target/resnet50-random.onnx 1
  recipe=bench/recipes/resnet50-25m.recipe
  name=resnet50
fi
./tamp check "$recipe" >/dev/null   # builds the CLI if needed, outside the timing
/usr/bin/time -v ./tamp compile "$recipe" -o "bench/target/$name-out" "$@" \
  2> >(tee "bench/target/$name-time.txt" >&2)
grep -E "Elapsed|Maximum resident" "bench/target/$name-time.txt"
