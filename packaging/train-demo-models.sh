#!/usr/bin/env bash
# Reproduces the demo models in resources/demo/ and the README's loss table, on the synthetic world that
# `counterscope-cli synth` writes with its default arguments.
#
#   packaging/train-demo-models.sh [--out DIR] [--trunk-iters N] [--row-iters N] [--generator-iters N]
#                                  [--generator-warmup-iters N] [--generator-local-iters N]
#                                  [--generator-batch B] [--generators seesaw-rfs,ce|none] [--device cpu|cuda]
#                                  [--install]
#
# The schedule (tiny preset, batches of 4 images of 256 px, about 1.2 s per iteration on 2 cores):
#   1. trunk:  the tiny preset trained from scratch with CE and repeat-factor sampling at the world's scale
#              (--rfs auto: categories in fewer than 100 of the 2000 training images are repeated, t = 0.05, as
#              LVIS's t = 0.001 does on its ~100k images), constant lr 0.01 after a 200-iteration warm-up,
#              gradient norm clipped to 10. The representation every row shares.
#   2. rows:   from the trunk, each row learns its classifier afresh (roi_heads.box_predictor.cls_score is not
#              loaded: classifier re-training on a shared representation, Kang et al. 2020) while every other
#              layer keeps training, for --row-iters iterations with the usual decay (x0.1 at 2/3 and 8/9):
#              ce, cm, lr, fl, seesaw with plain sampling, ce-rfs and seesaw-rfs with --rfs auto. So the rows
#              differ only in the loss and the sampling of their classifier phase. Each row is evaluated on
#              the val split at half and at the end of its schedule (`train --eval-period`), which shows
#              whether more iterations still move AP.
#   3. tables: table.md (the rows at the end of their schedule) and convergence.md (mask AP / AP_r at half
#              and at the full schedule); the shipped models (ce, seesaw-rfs) also predict the val split
#              (`predict`) and are scored by `evaluate` (lvis-api semantics, per-category CSV).
#   4. generators: a counterfactual generator (`cf-train`) for the seesaw-rfs and the ce model, in three phases:
#              the first --generator-warmup-iters with resources/configs/counterfactual-demo-warmup.json (every
#              instance of a training image swapped: the most target-loss signal per iteration), then up to
#              --generator-iters with resources/configs/counterfactual-demo.json (each instance swapped with
#              probability 0.5, at least one), then up to --generator-local-iters with
#              resources/configs/counterfactual-demo-local.json (a 10x penalty on M outside: more local maps;
#              0 skips this phase). --generator-batch overrides the configs' 2 images per iteration (8 on a GPU).
#              --generators none skips this step.
# --device cuda runs every training and prediction on the GPU (a CUDA build: see the README's "On a GPU").
# Every step is skipped when its output exists and resumes from its checkpoints when interrupted, so the script
# can be re-run after Ctrl-C. --install copies the shipped files into resources/demo/: ce.safetensors (the ce
# row), seesaw.safetensors (the seesaw-rfs row), their generators, model.json and the tables.
# COUNTERSCOPE_CLI=PATH runs another counterscope-cli than build/bin's (e.g. a copy that a rebuild cannot change
# under a long run).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
out="$repo/build/demo-models"
trunk_iters=3000
row_iters=600
generator_warmup_iters=1000
generator_iters=3000
generator_local_iters=6000
generator_batch=()
generators="seesaw-rfs,ce"
device=cpu
install=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --trunk-iters) trunk_iters="$2"; shift 2 ;;
    --row-iters) row_iters="$2"; shift 2 ;;
    --generator-iters) generator_iters="$2"; shift 2 ;;
    --generator-warmup-iters) generator_warmup_iters="$2"; shift 2 ;;
    --generator-local-iters) generator_local_iters="$2"; shift 2 ;;
    --generator-batch) generator_batch=(--batch-size "$2"); shift 2 ;;
    --generators) generators="$2"; shift 2 ;;
    --device) device="$2"; shift 2 ;;
    --install) install=1; shift ;;
    -h|--help) sed -n 2,40p "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "train-demo-models.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for number in "$trunk_iters" "$row_iters"; do
  if ! [[ "$number" =~ ^[1-9][0-9]*$ ]]; then
    echo "train-demo-models.sh: iteration counts must be positive integers, got '$number'" >&2; exit 2
  fi
done
if (( row_iters % 2 != 0 )); then
  echo "train-demo-models.sh: --row-iters must be even (rows are evaluated at half of it), got $row_iters" >&2
  exit 2
fi

cli="${COUNTERSCOPE_CLI:-$repo/build/bin/counterscope-cli}"
if [[ ! -x "$cli" ]]; then "$here/build.sh"; fi
world="$out/world"
mkdir -p "$out"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
started=$(date +%s)

if [[ ! -f "$world/annotations/val.json" ]]; then
  log "synthetic world (default arguments) -> $world"
  "$cli" synth --out "$world" > "$out/world-summary.json"
fi
train_ann="$world/annotations/train.json"
val_ann="$world/annotations/val.json"
images="$world/images"

train() {  # train NAME LOSS ITERS EXTRA...
  local name="$1" loss="$2" iters="$3"; shift 3
  if [[ -f "$out/$name/model.safetensors" && -s "$out/$name.summary.json" ]]; then
    log "$name: done already"; return
  fi
  log "$name: training ($loss, $iters iterations)"
  "$cli" train --model tiny --ann "$train_ann" --images "$images" --val-ann "$val_ann" --loss "$loss" \
    --iters "$iters" --batch 4 --clip-grad 10 --checkpoint-period 100 --seed 0 --out "$out/$name" --resume \
    --device "$device" "$@" > "$out/$name.summary.json.part"
  mv "$out/$name.summary.json.part" "$out/$name.summary.json"
}

train trunk ce "$trunk_iters" --rfs auto --lr 0.01 --warmup 200 --steps none --eval-period 1000

# name loss rfs
rows=("ce ce 0" "seesaw-rfs seesaw auto" "ce-rfs ce auto" "seesaw seesaw 0" "cm cm 0" "lr lr 0" "fl fl 0")
row_names=()
for row in "${rows[@]}"; do
  read -r name loss rfs <<< "$row"
  row_names+=("$name")
  train "$name" "$loss" "$row_iters" --rfs "$rfs" --lr 0.01 --warmup 50 --eval-period $((row_iters / 2)) \
    --init-weights "$out/trunk/model.safetensors" --init-exclude roi_heads.box_predictor.cls_score. --half-weights
done

/usr/bin/python3 - "$out" trunk "${row_names[@]}" <<'EOF'
import json, sys
out, names = sys.argv[1], sys.argv[2:]
def evaluations(name):
    records = [json.loads(line) for line in open(f"{out}/{name}/metrics.jsonl")]
    return {r["iteration"]: r["eval"] for r in records if "eval" in r}
def cells(m):
    return [f"{100 * m[t][k]:.1f}" for t in ("segm", "bbox") for k in ("APr", "APc", "APf", "AP")]
with open(f"{out}/table.md", "w") as table:
    table.write("| row | mask AP_r | mask AP_c | mask AP_f | mask AP | box AP_r | box AP_c | box AP_f | box AP |\n")
    table.write("|---|---|---|---|---|---|---|---|---|\n")
    for name in names[1:]:
        table.write(f"| {name} | " + " | ".join(cells(json.load(open(f"{out}/{name}/eval.json")))) + " |\n")
with open(f"{out}/convergence.md", "w") as table:
    table.write("| row | iterations | mask AP_r | mask AP | box AP_r | box AP |\n|---|---|---|---|---|---|\n")
    for name in names:
        for iteration, m in sorted(evaluations(name).items()):
            row = [f"{100 * m[t][k]:.1f}" for t in ("segm", "bbox") for k in ("APr", "AP")]
            table.write(f"| {name} | {iteration} | {row[0]} | {row[1]} | {row[2]} | {row[3]} |\n")
EOF
cat "$out/table.md" "$out/convergence.md"

for name in ce seesaw-rfs; do
  if [[ -f "$out/$name/val-metrics.json" ]]; then continue; fi
  log "$name: predict + evaluate on the val split"
  "$cli" predict --model "$out/$name/model.json" --weights "$out/$name/model.safetensors" \
    --images "$images" --ann "$val_ann" --out "$out/$name/val-results.json" --device "$device" > /dev/null
  "$cli" evaluate --ann "$val_ann" --results "$out/$name/val-results.json" --json "$out/$name/val-metrics.json" \
    --per-category "$out/$name/val-per-category.csv" > /dev/null
done
log "models done: $(( ($(date +%s) - started) / 60 )) minutes since the start of this run"

IFS=',' read -r -a generator_models <<< "$generators"
[[ "$generators" == none ]] && generator_models=()
for model in "${generator_models[@]}"; do
  name="generator-$model"
  if [[ -f "$out/$name/generator.safetensors" && -s "$out/$name.summary.json" ]]; then
    log "$name: done already"; continue
  fi
  cf_train=("$cli" cf-train --model "$out/$model/model.json" --weights "$out/$model/model.safetensors"
            --ann "$train_ann" --images "$images" --target-loss cls --out "$out/$name" --resume --device "$device"
            "${generator_batch[@]}")
  # Phase 1 ends with a generator file of its own; phase 2 resumes from phase 1's last checkpoint.
  log "$name: cf-train, phase 1 ($generator_warmup_iters iterations, every instance swapped)"
  "${cf_train[@]}" --iters "$generator_warmup_iters" \
    --config "$repo/resources/configs/counterfactual-demo-warmup.json" > "$out/$name.warmup.json"
  log "$name: cf-train, phase 2 (up to $generator_iters iterations, half the instances swapped)"
  "${cf_train[@]}" --iters "$generator_iters" \
    --config "$repo/resources/configs/counterfactual-demo.json" > "$out/$name.phase2.json"
  if (( generator_local_iters > generator_iters )); then
    log "$name: cf-train, phase 3 (up to $generator_local_iters iterations, 10x the penalty on M outside)"
    "${cf_train[@]}" --iters "$generator_local_iters" \
      --config "$repo/resources/configs/counterfactual-demo-local.json" > "$out/$name.summary.json"
  else
    cp "$out/$name.phase2.json" "$out/$name.summary.json"
  fi
done
log "all done: $(( ($(date +%s) - started) / 60 )) minutes since the start of this run"

if [[ $install -eq 1 ]]; then
  mkdir -p "$repo/resources/demo"
  cp "$out/ce/model.json" "$repo/resources/demo/model.json"
  cp "$out/ce/model.safetensors" "$repo/resources/demo/ce.safetensors"
  cp "$out/seesaw-rfs/model.safetensors" "$repo/resources/demo/seesaw.safetensors"
  for model in "${generator_models[@]}"; do
    shipped="${model%-rfs}"  # generator-seesaw.safetensors belongs to seesaw.safetensors (the seesaw-rfs row)
    cp "$out/generator-$model/generator.safetensors" "$repo/resources/demo/generator-$shipped.safetensors"
  done
  cp "$out/table.md" "$repo/resources/demo/loss-table.md"
  cp "$out/convergence.md" "$repo/resources/demo/convergence.md"
  log "installed into resources/demo/"
fi
