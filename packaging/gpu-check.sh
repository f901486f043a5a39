#!/usr/bin/env bash
# The CUDA checks in one run, for a GPU machine with a CUDA PyTorch and no Qt: builds core + CLI + benchmarks
# against that PyTorch's LibTorch, then
#   1. bench_inference: R50-FPN at 800x1333, batch 1 and 8, against torchvision on the same GPU;
#   2. bench_training: tiny and R50-FPN training images/s against torchvision on the same GPU;
#   3. predict --device cuda with the demo seesaw model on the synthetic world's val split, scored by evaluate
#      (compare with a CPU run of the same command to see that both devices agree).
#
#   packaging/gpu-check.sh [--out DIR] [--threads N] [--python PYTHON]
#
# OpenCV 4, nlohmann-json 3 and simdjson must be installed (or findable through CMAKE_PREFIX_PATH). Writes
# DIR/bench_inference.json, DIR/bench_training.json, DIR/predict-cuda.json, DIR/evaluate-cuda.json and the logs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
out="$repo/build-cuda/gpu-check"
threads=8
python="$(command -v python3)"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --python) python="$2"; shift 2 ;;
    -h|--help) sed -n 2,12p "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "gpu-check.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

if ! "$python" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'; then
  echo "gpu-check.sh: $python has no torch that sees a CUDA GPU" >&2
  exit 1
fi
torch_prefix="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')"
build="$repo/build-cuda"
mkdir -p "$out"
log "configure + build ($build) against $torch_prefix"
cmake -S "$repo" -B "$build" -G Ninja -DCOUNTERSCOPE_BUILD_UI=OFF -DCOUNTERSCOPE_BUILD_TESTS=OFF \
  -DCMAKE_PREFIX_PATH="$torch_prefix${CMAKE_PREFIX_PATH:+;$CMAKE_PREFIX_PATH}" > "$out/configure.log"
cmake --build "$build" --target counterscope-cli bench_inference bench_training > "$out/build.log"
bin="$build/bin"
export COUNTERSCOPE_PYTHON="$python"

log "bench_inference (R50-FPN, batch 1 and 8)"
"$bin/bench_inference" --device cuda --batch 1,8 --runs 10 --threads "$threads" --out-dir "$out/bench-inference" \
  > "$out/bench_inference.json"
log "bench_training (tiny, R50-FPN)"
"$bin/bench_training" --device cuda --presets tiny,r50 --steps 10 --threads "$threads" \
  --out-dir "$out/bench-training" > "$out/bench_training.json"

world="$out/world"
if [[ ! -f "$world/annotations/val.json" ]]; then
  log "synthetic world -> $world"
  "$bin/counterscope-cli" synth --out "$world" > "$out/world.json"
fi
log "predict --device cuda + evaluate (demo seesaw model, val split)"
"$bin/counterscope-cli" predict --device cuda --model "$repo/resources/demo/model.json" \
  --weights "$repo/resources/demo/seesaw.safetensors" --images "$world/images/val2017" \
  --ann "$world/annotations/val.json" --out "$out/predict-cuda.json" > "$out/predict.log"
"$bin/counterscope-cli" evaluate --ann "$world/annotations/val.json" --results "$out/predict-cuda.json" \
  --json "$out/evaluate-cuda.json" > "$out/evaluate.log"
log "done: $out"
