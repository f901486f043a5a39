#!/usr/bin/env bash
# The report's second table on the synthetic world: the seesaw tiny model trained on
#   (a) the original training split, (b) + image transformations, (c) + counterfactual augmentation,
# each scored on the val split by `evaluate`. Runs after packaging/train-demo-models.sh, in the same --out folder
# (it reuses the trunk, the seesaw model = (a), and the seesaw generator).
#
#   packaging/augmentation-experiment.sh [--out DIR] [--min-images K] [--finetune-iters N] [--inception W [W2]]
#
# (b) and (c) get the same number of extra images (the same plan: every category up to K training images) and
# the same schedule as (a): from the CE trunk, seesaw for --finetune-iters iterations. With --inception
# (pytorch-fid's / torchvision's Inception-v3 weights, which nothing downloads), FID and IS of the new images
# against the original training images are measured too.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
out="$repo/build/demo-models"
min_images=30
finetune_iters=200
inception=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --min-images) min_images="$2"; shift 2 ;;
    --finetune-iters) finetune_iters="$2"; shift 2 ;;
    --inception) shift; while [[ $# -gt 0 && "$1" != --* ]]; do inception+=("$1"); shift; done ;;
    -h|--help) sed -n 2,12p "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "augmentation-experiment.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

cli="$repo/build/bin/counterscope-cli"
world="$out/world"
for needed in "$out/trunk/model.safetensors" "$out/seesaw/model.safetensors" "$out/seesaw/val-metrics.json" \
              "$out/generator-seesaw/generator.safetensors"; do
  if [[ ! -f "$needed" ]]; then
    echo "augmentation-experiment.sh: $needed is missing: run packaging/train-demo-models.sh --out $out first" >&2
    exit 1
  fi
done
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

augment() {  # augment METHOD DIR EXTRA...
  local method="$1" dir="$2"; shift 2
  if [[ -f "$dir/statistics.json" && ! -e "$dir/INCOMPLETE" ]]; then log "$method augmentation: done already"; return; fi
  log "$method augmentation -> $dir (every category to $min_images images)"
  "$cli" augment --method "$method" --ann "$world/annotations/train.json" --images "$world/images" \
    --min-images "$min_images" --out "$dir" --seed 0 "$@" > "$dir.summary.txt"
}

augment counterfactual "$out/aug-cf" --model "$out/seesaw/model.json" --weights "$out/seesaw/model.safetensors" \
  --generator "$out/generator-seesaw/generator.safetensors"
augment transforms "$out/aug-transforms"

for variant in transforms cf; do
  name="seesaw-aug-$variant"
  data="$out/aug-$variant"
  if [[ ! -f "$out/$name/model.safetensors" ]]; then
    log "$name: training (seesaw, $finetune_iters iterations from the trunk)"
    "$cli" train --model tiny --ann "$data/annotations/train.json" --images "$data/images" --loss seesaw \
      --iters "$finetune_iters" --batch 4 --clip-grad 10 --checkpoint-period 100 --seed 0 --lr 0.01 --warmup 0 \
      --init-weights "$out/trunk/model.safetensors" --half-weights --out "$out/$name" --resume > "$out/$name.summary.json"
  fi
  if [[ ! -f "$out/$name/val-metrics.json" ]]; then
    log "$name: predict + evaluate on the val split"
    "$cli" predict --model "$out/$name/model.json" --weights "$out/$name/model.safetensors" \
      --images "$world/images/val2017" --ann "$world/annotations/val.json" --out "$out/$name/val-results.json" > /dev/null
    "$cli" evaluate --ann "$world/annotations/val.json" --results "$out/$name/val-results.json" \
      --json "$out/$name/val-metrics.json" > /dev/null
  fi
  if [[ ${#inception[@]} -gt 0 && ! -f "$out/aug-$variant/image-quality.json" ]]; then
    # DIR/images/train2017 also links the original images: measure the new ones only.
    mkdir -p "$data/new-images"
    find "$data/images/train2017" -maxdepth 1 -type f \( -name 'cf_*.png' -o -name 'tf_*.png' \) \
      -exec ln -sf {} "$data/new-images/" \;
    "$cli" image-quality --real "$world/images/train2017" --generated "$data/new-images" \
      --inception "${inception[@]}" --json "$out/aug-$variant/image-quality.json" > /dev/null
  fi
done

/usr/bin/python3 - "$out" > "$out/augmentation-table.md" <<'EOF'
import json, os, sys
out = sys.argv[1]
rows = [("(a) original split", "seesaw", None), ("(b) + image transformations", "seesaw-aug-transforms", "aug-transforms"),
        ("(c) + counterfactual augmentation", "seesaw-aug-cf", "aug-cf")]
print("| training data | extra images | mask AP_r | mask AP_c | mask AP_f | mask AP | box AP_r | box AP_c | box AP_f | box AP | IS | FID |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for title, model, aug in rows:
    m = json.load(open(f"{out}/{model}/val-metrics.json"))
    cells = [f"{100 * m[t][k]:.1f}" for t in ("segm", "bbox") for k in ("APr", "APc", "APf", "AP")]
    extra, quality = "0", ["—", "—"]
    if aug:
        stats = json.load(open(f"{out}/{aug}/statistics.json"))
        extra = str(stats["images_added"])
        path = f"{out}/{aug}/image-quality.json"
        if os.path.exists(path):
            q = json.load(open(path))
            score = q.get("inception_score")
            quality = [f"{score['mean']:.2f}" if score else "no weights", f"{q['fid']['value']:.1f}"]
        else:
            quality = ["no weights", "no weights"]
    print(f"| {title} | {extra} | " + " | ".join(cells) + " | " + " | ".join(quality) + " |")
EOF
cat "$out/augmentation-table.md"
