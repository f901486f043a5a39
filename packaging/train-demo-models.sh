#!/usr/bin/env bash
# Reproduces the demo models in resources/demo/ and the README's loss table, on the synthetic world that
# `counterscope-cli synth` writes with its default arguments.
#
#   packaging/train-demo-models.sh [--out DIR] [--trunk-iters N] [--finetune-iters N] [--generator-iters N]
#                                  [--generator-warmup-iters N] [--generator-local-iters N]
#                                  [--generator-batch B] [--device cpu|cuda]
#                                  [--install]
#
# The schedule, sized for a 2-core CPU (about 1.2 s per iteration of 4 images at 256 px):
#   1. trunk:  the tiny preset trained from scratch with CE (constant lr 0.01 after warm-up, gradient norm
#              clipped to 10);
#   2. losses: from the trunk, each of ce, cm, lr, fl, seesaw trains the same further iterations with the
#              usual decay (x0.1 at 2/3 and 8/9) - so the five share the representation and differ in the loss
#              of the final phase (the class-count-dependent layers a loss reshapes start fresh);
#   3. table:  each model predicts the val split (`predict`) and is scored by `evaluate` (lvis-api semantics);
#   4. generators: a counterfactual generator (`cf-train`) for the seesaw and the ce model, in three phases:
#              the first --generator-warmup-iters with resources/configs/counterfactual-demo-warmup.json (every
#              instance of a training image swapped: the most target-loss signal per iteration), then up to
#              --generator-iters with resources/configs/counterfactual-demo.json (each instance swapped with
#              probability 0.5, at least one: the generator also sees single swaps, as it is asked at explain
#              time), then up to --generator-local-iters with resources/configs/counterfactual-demo-local.json
#              (the same with a 10x penalty on M outside: more local maps; 0 skips this phase). All: LEAR's loss
#              weights except the target loss (20 instead of 1), a penalty on M outside the changed instances'
#              boxes enlarged 2x (50; 500 in phase 3) and the change mark in the code maps; generator
#              learning rate 1e-3 instead of 2e-4 (with LEAR's own values 300 iterations left target attainment
#              near 0; LEAR trains for days on GPUs). --generator-batch overrides the configs' 2 images per
#              iteration (8 on a GPU, where an iteration of 8 takes 0.14 s on an H200).
# --device cuda runs every training and prediction on the GPU (a CUDA build: see the README's "On a GPU").
# Every step is skipped when its output exists and resumes from its checkpoints when interrupted, so the script
# can be re-run after Ctrl-C. --install copies the shipped files into resources/demo/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
out="$repo/build/demo-models"
trunk_iters=1000
finetune_iters=200
generator_warmup_iters=1000
generator_iters=3000
generator_local_iters=6000
generator_batch=()
device=cpu
install=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --trunk-iters) trunk_iters="$2"; shift 2 ;;
    --finetune-iters) finetune_iters="$2"; shift 2 ;;
    --generator-iters) generator_iters="$2"; shift 2 ;;
    --generator-warmup-iters) generator_warmup_iters="$2"; shift 2 ;;
    --generator-local-iters) generator_local_iters="$2"; shift 2 ;;
    --generator-batch) generator_batch=(--batch-size "$2"); shift 2 ;;
    --device) device="$2"; shift 2 ;;
    --install) install=1; shift ;;
    -h|--help) sed -n 2,31p "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "train-demo-models.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

cli="$repo/build/bin/counterscope-cli"
if [[ ! -x "$cli" ]]; then "$here/build.sh"; fi
world="$out/world"
mkdir -p "$out"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

if [[ ! -f "$world/annotations/val.json" ]]; then
  log "synthetic world (default arguments) -> $world"
  "$cli" synth --out "$world" > "$out/world-summary.json"
fi
train_ann="$world/annotations/train.json"
val_ann="$world/annotations/val.json"
images="$world/images"

train() {  # train NAME LOSS ITERS EXTRA...
  local name="$1" loss="$2" iters="$3"; shift 3
  if [[ -f "$out/$name/model.safetensors" ]]; then log "$name: done already"; return; fi
  log "$name: training ($loss, $iters iterations)"
  "$cli" train --model tiny --ann "$train_ann" --images "$images" --loss "$loss" --iters "$iters" --batch 4 \
    --clip-grad 10 --checkpoint-period 100 --seed 0 --out "$out/$name" --resume --device "$device" "$@" \
    > "$out/$name.summary.json"
}

train trunk ce "$trunk_iters" --lr 0.01 --warmup 200 --steps none
losses=(ce cm lr fl seesaw)
for loss in "${losses[@]}"; do
  train "$loss" "$loss" "$finetune_iters" --lr 0.01 --warmup 0 --init-weights "$out/trunk/model.safetensors" \
    --half-weights
done

for loss in "${losses[@]}"; do
  if [[ -f "$out/$loss/val-metrics.json" ]]; then continue; fi
  log "$loss: predict + evaluate on the val split"
  "$cli" predict --model "$out/$loss/model.json" --weights "$out/$loss/model.safetensors" \
    --images "$images/val2017" --ann "$val_ann" --out "$out/$loss/val-results.json" --device "$device" > /dev/null
  "$cli" evaluate --ann "$val_ann" --results "$out/$loss/val-results.json" --json "$out/$loss/val-metrics.json" \
    --per-category "$out/$loss/val-per-category.csv" > /dev/null
done

/usr/bin/python3 - "$out" "${losses[@]}" > "$out/table.md" <<'EOF'
import json, sys
out, losses = sys.argv[1], sys.argv[2:]
print("| loss | mask AP_r | mask AP_c | mask AP_f | mask AP | box AP_r | box AP_c | box AP_f | box AP |")
print("|---|---|---|---|---|---|---|---|---|")
for loss in losses:
    m = json.load(open(f"{out}/{loss}/val-metrics.json"))
    cells = [f"{100 * m[t][k]:.1f}" for t in ("segm", "bbox") for k in ("APr", "APc", "APf", "AP")]
    print(f"| {loss} | " + " | ".join(cells) + " |")
EOF
cat "$out/table.md"

for loss in seesaw ce; do
  name="generator-$loss"
  if [[ -f "$out/$name/generator.safetensors" && -s "$out/$name.summary.json" ]]; then
    log "$name: done already"; continue
  fi
  # Phase 1 ends with a generator file of its own; phase 2 resumes from phase 1's last checkpoint.
  log "$name: cf-train, phase 1 ($generator_warmup_iters iterations, every instance swapped)"
  "$cli" cf-train --model "$out/$loss/model.json" --weights "$out/$loss/model.safetensors" --ann "$train_ann" \
    --images "$images" --target-loss cls --iters "$generator_warmup_iters" --out "$out/$name" --resume \
    --config "$repo/resources/configs/counterfactual-demo-warmup.json" --device "$device" "${generator_batch[@]}" \
    > "$out/$name.warmup.json"
  log "$name: cf-train, phase 2 (up to $generator_iters iterations, half the instances swapped)"
  "$cli" cf-train --model "$out/$loss/model.json" --weights "$out/$loss/model.safetensors" --ann "$train_ann" \
    --images "$images" --target-loss cls --iters "$generator_iters" --out "$out/$name" --resume \
    --config "$repo/resources/configs/counterfactual-demo.json" --device "$device" "${generator_batch[@]}" \
    > "$out/$name.phase2.json"
  if (( generator_local_iters > generator_iters )); then
    log "$name: cf-train, phase 3 (up to $generator_local_iters iterations, 10x the penalty on M outside)"
    "$cli" cf-train --model "$out/$loss/model.json" --weights "$out/$loss/model.safetensors" --ann "$train_ann" \
      --images "$images" --target-loss cls --iters "$generator_local_iters" --out "$out/$name" --resume \
      --config "$repo/resources/configs/counterfactual-demo-local.json" --device "$device" "${generator_batch[@]}" \
      > "$out/$name.summary.json"
  else
    cp "$out/$name.phase2.json" "$out/$name.summary.json"
  fi
done

if [[ $install -eq 1 ]]; then
  mkdir -p "$repo/resources/demo"
  cp "$out/ce/model.json" "$repo/resources/demo/model.json"
  for loss in ce seesaw; do
    cp "$out/$loss/model.safetensors" "$repo/resources/demo/$loss.safetensors"
    cp "$out/generator-$loss/generator.safetensors" "$repo/resources/demo/generator-$loss.safetensors"
  done
  cp "$out/table.md" "$repo/resources/demo/loss-table.md"
  log "installed into resources/demo/"
fi
