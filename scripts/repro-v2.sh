#!/usr/bin/env bash
# Part 1 of protocol v2 (docs/protocol.md §2): LoRA / PiSSA / BA-LoRA (+ ablations) per cell, with balora sweep.
#
#   scripts/repro-v2.sh [--cells "food-minilm food-bge-small austen-minilm austen-bge-small"] [--core 1]
#                       [--balora CMD] [--out runs/v2] [--stages ABCD]
# --stages picks the protocol's stages (A lr grids, B lambda sweep, C final seeds, D ablations; default ABCD): the
# protocol runs A-C of a cell before the ablations (D) when compute is short.
#
# Per cell, in the protocol's priority order:
#   1. data: the v1 splits (scripts/repro_stats.py split / split-austen, seed 20240901) under OUT/data/<task>/
#   2. OUT/<cell>/grid.json: a copy of grids/v2/<cell>.json
#   3. stage A (lora-lr, pissa-lr, balora-lr) with balora sweep --groups
#   4. the edge rule: a stage-A winner at the smallest or largest lr of its group adds one lr beyond it (x1/3 or x3)
#      to OUT/<cell>/grid.json (repro_stats.py extend-edges), and stage A runs again (only the new point trains)
#   5. the requested later stages (B: balora-lambda, C: final, D: ablations), then the report (repro_stats.py report-v2)
# Every JVM runs pinned: taskset -c CORE nice -n 10, one balora thread. Rerunning continues where it stopped
# (finished points are skipped, an interrupted one resumes from its checkpoint).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cells="food-minilm food-bge-small austen-minilm austen-bge-small"; core=1; balora=./balora; out=runs/v2; stages=ABCD
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cells) cells="$2"; shift 2 ;;
    --core) core="$2"; shift 2 ;;
    --balora) balora="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --stages) stages="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "repro-v2: unknown option $1" >&2; exit 2 ;;
  esac
done
say() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$out/repro-v2.log"; }
mkdir -p "$out"
{
  echo "date: $(date -Is)"; echo "host: $(uname -srm)"; echo "cpus: $(nproc)"
  grep -m1 'model name' /proc/cpuinfo || true; echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo '?')"; echo "balora: $balora"; echo "cells: $cells core: $core"
} >>"$out/host.txt"

[[ -f "$out/data/food/test.tsv" ]] || python3 scripts/repro_stats.py split data/food-reviews/food-reviews-train.tsv \
  data/food-reviews/food-reviews-test.tsv "$out/data/food" --n-train 640 --n-val 200 --n-test 0 | tee -a "$out/repro-v2.log"
[[ -f "$out/data/austen/test.tsv" ]] || python3 scripts/repro_stats.py split-austen data/austen "$out/data/austen" \
  --n-train 720 --n-val 240 --n-test 600 | tee -a "$out/repro-v2.log"

sweep() { JAVA_TOOL_OPTIONS="-Dbalora.threads=1 -Xmx3g" taskset -c "$core" nice -n 10 $balora sweep "$@"; }

for cell in $cells; do
  d="$out/$cell"; mkdir -p "$d"
  [[ -f "$d/grid.json" ]] || cp "grids/v2/$cell.json" "$d/grid.json"
  if [[ "$stages" == *A* || "$stages" == *B* || "$stages" == *C* || "$stages" == *D* ]]; then
  say "cell $cell: stage A"
  sweep "$d/grid.json" --out "$d" --groups lora-lr,pissa-lr,balora-lr >>"$d/sweep.log" 2>&1 || say "stage A of $cell had failures"
  if python3 scripts/repro_stats.py extend-edges "$d" | tee -a "$out/repro-v2.log" | grep -q extended; then
    say "cell $cell: stage A again (edge rule)"
    sweep "$d/grid.json" --out "$d" --groups lora-lr,pissa-lr,balora-lr >>"$d/sweep.log" 2>&1 || say "stage A of $cell had failures"
  fi
  fi
  later=""
  [[ "$stages" == *B* ]] && later="$later,balora-lambda"
  [[ "$stages" == *C* ]] && later="$later,final"
  [[ "$stages" == *D* ]] && later="$later,ablations"
  later="${later#,}"
  if [[ -n "$later" ]]; then
    say "cell $cell: groups $later"
    sweep "$d/grid.json" --out "$d" --groups "$later" >>"$d/sweep.log" 2>&1 || say "cell $cell had failures"
  fi
  python3 scripts/repro_stats.py report-v2 "$out" >/dev/null 2>>"$out/repro-v2.log" && say "report: $out/report-v2.md" || true
done
say "done: $cells"
