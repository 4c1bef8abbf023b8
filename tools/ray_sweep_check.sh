#!/usr/bin/env bash
# Checks tools/ray_sweep.py against balora sweep on a 4-point grid (needs Ray: /work/venv-ray or RAY_PYTHON):
#   1. the grid runs locally with balora sweep;
#   2. the same grid runs as Ray Tune trials on a local Ray with ASHA (grace 2 reports, reduction factor 2);
#   3. tools/ray_sweep_compare.py: every trial Ray finished equals the local point bit for bit (predictions, test
#      predictions, adapter, best parameters, selection, metrics without times), every trial ASHA stopped reported
#      exactly the local run's first validations, and at least one trial was stopped early.
#   tools/ray_sweep_check.sh [--out runs/ray-check] [--balora CMD] [--core 1]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out=runs/ray-check; balora=./balora; core=1; py="${RAY_PYTHON:-/work/venv-ray/bin/python}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --balora) balora="$2"; shift 2 ;;
    --core) core="$2"; shift 2 ;;
    *) echo "ray_sweep_check: unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$out/data"
src=data/food-reviews/food-reviews-train.tsv
if [[ ! -f "$out/data/test.tsv" ]]; then
  python3 scripts/repro_stats.py split "$src" data/food-reviews/food-reviews-test.tsv "$out/data" --n-train 64 --n-val 48 --n-test 100
fi
cat >"$out/grid.json" <<JSON
{"name": "ray check",
 "defaults": {"model": "minilm", "train": "$out/data/train.tsv", "eval": "$out/data/val.tsv", "test": "$out/data/test.tsv",
              "method": "lora", "rank": 4, "batch": 8, "max-length": 32, "epochs": 3, "eval-every": 2, "select": "best",
              "checkpoint-every": 4, "head-lr": 0.002, "seed": 1},
 "groups": [{"name": "lora-lr", "axes": {"lr": [0.003, 0.001, 0.0001, 0.000001]}}]}
JSON
export JAVA_TOOL_OPTIONS="-Dbalora.threads=1 -Xmx2g"
echo "== 1. balora sweep (local runner)"
taskset -c "$core" nice -n 10 $balora sweep "$out/grid.json" --out "$out/local" | tee "$out/local.log"
echo "== 2. Ray Tune with ASHA (local Ray, one CPU)"
unset JAVA_TOOL_OPTIONS
taskset -c "$core" nice -n 10 "$py" tools/ray_sweep.py "$out/grid.json" --out "$out/ray" --balora "$balora" \
  --num-cpus 1 --asha --asha-grace 2 --asha-rf 2 --asha-max-t 12 --storage "$(pwd)/$out/ray-results" \
  --java-opts "-Dbalora.threads=1 -Xmx2g" 2>&1 | tee "$out/ray.log"
echo "== 3. compare"
python3 tools/ray_sweep_compare.py "$out/local" "$out/ray" | tee "$out/compare.md"
