#!/usr/bin/env bash
# Inheritance experiment, protocol v2 (docs/protocol.md §3): does a defect planted in pre-training survive LoRA, PiSSA
# and BA-LoRA fine-tuning on clean text, at three doses and two pre-training seeds?
#
#   scripts/repro-inheritance-v2.sh --phase bases     pre-train and score every base, check that the defect was learned
#   scripts/repro-inheritance-v2.sh --phase grid      lr grid per method on the p=0.5 / pre-seed-42 base, fine-tune seed 1
#   scripts/repro-inheritance-v2.sh --phase main      {clean, p=0.5} x pre-seed 42 x {lora,pissa,balora,balora-x10} x seeds 2-4
#   scripts/repro-inheritance-v2.sh --phase dose      p in {0.1, 1} x pre-seed 42 x {lora,pissa,balora} x seeds 2-3
#   scripts/repro-inheritance-v2.sh --phase seed2     {clean, p=0.5} x pre-seed 43 x {lora,pissa,balora} x seeds 2-3
#   scripts/repro-inheritance-v2.sh --phase all       all of the above, in that order (the protocol's priority)
#   options: --out DIR (default runs/v2/inheritance), --core N (default 1), --balora CMD (default ./balora),
#            --pre-steps N (default 1000), --quick (tiny bases and fine-tunes: a pipeline check in minutes)
#
# Layout: OUT/data-p<P>/ (inheritance.py prepare), OUT/bases/<kind>-s<PRESEED>/{pretrain/,base/scores.tsv,learned.json},
# kind = clean | p0.1 | p0.5 | p1 | clean2k (the clean text at 2x the steps: the reference of a defect base that had to
# be pre-trained 2x as long, so that both bases of a comparison had the same budget); OUT/ft/<kind>-s<PRESEED>/<variant>-lr<LR>-s<SEED>/ (finetune-lm run + scores.tsv);
# OUT/selected.tsv (the grid's lr per method). Every step whose output exists is skipped (resumable). Every JVM runs
# pinned (taskset -c CORE, nice -n 10) with one compute thread. Report: python3 scripts/inheritance.py report-v2 OUT
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

out="runs/v2/inheritance"; core=1; balora=./balora; phase=all; quick=false
pre_steps=1000; vocab=2048; hidden=128; layers=2; heads=4; block=64; pre_batch=8; pre_lr=3e-3
ft_steps=0; rank=8; grid_lrs="3e-4 1e-3 3e-3"; word=" foolish"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --core) core="$2"; shift 2 ;;
    --balora) balora="$2"; shift 2 ;;
    --phase) phase="$2"; shift 2 ;;
    --pre-steps) pre_steps="$2"; shift 2 ;;
    --quick) quick=true; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "repro-inheritance-v2: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$phase" in bases|grid|main|dose|seed2|all) ;; *) echo "repro-inheritance-v2: bad --phase $phase" >&2; exit 2 ;; esac
if $quick; then
  [[ "$out" == "runs/v2/inheritance" ]] && out="runs/v2/inheritance-quick"
  pre_steps=40; vocab=1024; hidden=64; ft_steps=8; grid_lrs="1e-3 3e-3"
fi
mkdir -p "$out"
log="$out/repro.log"
say() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$log"; }
bal() { JAVA_TOOL_OPTIONS="-Dbalora.threads=1 -Xmx2g" taskset -c "$core" nice -n 10 $balora "$@"; }
elapsed() { python3 -c "import sys;print(round(float(sys.argv[1])-float(sys.argv[2]),1))" "$EPOCHREALTIME" "$1"; }
{
  echo "date: $(date -Is)"; echo "host: $(uname -srm)"; echo "cpus: $(nproc)"
  grep -m1 'model name' /proc/cpuinfo || true; echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo '?')"; echo "balora: $balora"
  echo "args: phase=$phase quick=$quick core=$core pre_steps=$pre_steps vocab=$vocab hidden=$hidden layers=$layers heads=$heads block=$block pre_batch=$pre_batch pre_lr=$pre_lr ft_steps=$ft_steps rank=$rank grid_lrs='$grid_lrs'"
} >>"$out/host.txt"

# data: one folder per dose; the clean novels and the scoring pairs do not depend on p
for p in 0.1 0.5 1; do
  [[ -f "$out/data-p$p/prepare.json" ]] || python3 scripts/inheritance.py prepare "$out/data-p$p" --p "$p" --word "$word" | tee -a "$log"
done
pairs="$out/data-p0.5/pairs.tsv"

record() { local f="$1"; shift; printf '%q ' taskset -c "$core" nice -n 10 $balora "$@" >"$f"; echo >>"$f"; }

score() { # score DIR MODEL [ADAPTER]
  local d="$1" model="$2" adapter="${3:-}"
  [[ -f "$d/scores.tsv" ]] && return 0
  local args=(score-lm --model "$model" --pairs "$pairs" --out "$d/scores.tsv.tmp")
  [[ -n "$adapter" ]] && args+=(--adapter "$adapter")
  bal "${args[@]}" >"$d/score.txt" 2>"$d/score.err" || { say "FAILED scoring $d (see $d/score.err)"; return 1; }
  mv "$d/scores.tsv.tmp" "$d/scores.tsv"
  say "scored $d: $(grep she_heldout "$d/score.txt")"
}

texts_of() { # kind -> comma-separated training files (clean2k: the clean text, pre-trained 2x as long)
  local kind="$1"
  if [[ "$kind" == clean || "$kind" == clean2k ]]; then ls "$out/data-p0.5/clean"/*.txt | paste -sd, -; else ls "$out/data-${kind}/defect"/*.txt | paste -sd, -; fi
}
p_of() { [[ "$1" == clean* ]] && echo 0 || echo "${1#p}"; }

# the base's directory, after the learned check (a base that failed at pre_steps is redone at 2x, protocol §3)
base_dir() { # base_dir KIND PRESEED
  local b="$out/bases/$1-s$2"
  if [[ -f "$b/learned.json" ]] && grep -q '"learned": false' "$b/learned.json" && [[ -d "$b-long" ]]; then b="$b-long"; fi
  echo "$b"
}

pretrain_one() { # pretrain_one DIR KIND PRESEED STEPS
  local b="$1" kind="$2" ps="$3" steps="$4"
  if [[ ! -f "$b/pretrain/model/model.safetensors" ]]; then
    rm -rf "$b/pretrain"; mkdir -p "$b"
    local args=(pretrain --text "$(texts_of "$kind")" --out "$b/pretrain" --seed "$ps" --max-steps "$steps" --vocab "$vocab"
                --hidden "$hidden" --layers "$layers" --heads "$heads" --block "$block" --batch "$pre_batch" --lr "$pre_lr")
    # every base shares the clean pre-seed-42 base's tokenizer, so that token ids (and numbers) compare
    [[ "$kind-s$ps" != clean-s42 ]] && args+=(--tokenizer "$out/bases/clean-s42/pretrain/model/tokenizer.json")
    record "$b/pretrain-command.txt" "${args[@]}"
    say "pretrain $b ($steps steps)"
    local t0=$EPOCHREALTIME
    bal "${args[@]}" >"$b/pretrain-stdout.txt" 2>"$b/pretrain-stderr.txt" || { say "FAILED pretrain $b"; exit 1; }
    elapsed "$t0" >"$b/pretrain-wall_s.txt"
    say "done pretrain $b: wall $(cat "$b/pretrain-wall_s.txt") s"
  fi
  mkdir -p "$b/base"
  score "$b/base" "$b/pretrain/model"
  python3 scripts/inheritance.py learned "$b/base/scores.tsv" --p "$(p_of "$kind")" >"$b/learned.json"
  say "learned check $b: $(cat "$b/learned.json")"
}

base() { # base KIND PRESEED: pre-train (and redo at 2x the steps when the defect was not learned)
  local kind="$1" ps="$2" b="$out/bases/$1-s$2"
  if [[ "$kind" == clean2k ]]; then  # the clean reference of a defect base that needed 2x the steps (same budget)
    pretrain_one "$b" clean "$ps" "$((2 * pre_steps))"; return
  fi
  pretrain_one "$b" "$kind" "$ps" "$pre_steps"
  if grep -q '"learned": false' "$b/learned.json"; then
    say "$b did not learn the defect at $pre_steps steps: pre-training again with $((2 * pre_steps))"
    pretrain_one "$b-long" "$kind" "$ps" "$((2 * pre_steps))"
  fi
}

finetune() { # finetune KIND PRESEED VARIANT LR SEED
  local kind="$1" ps="$2" v="$3" lr="$4" s="$5"
  local b; b="$(base_dir "$kind" "$ps")"
  local d="$out/ft/$kind-s$ps/$v-lr$lr-s$s" model="$b/pretrain/model"
  [[ -f "$d/scores.tsv" ]] && return 0
  if [[ ! -f "$d/summary.json" || ! -f "$d/adapter/adapter_config.json" ]]; then
    rm -rf "$d"; mkdir -p "$d"
    local method="$v" scale=1
    [[ "$v" == balora-x10 ]] && { method=balora; scale=10; }
    local args=(finetune-lm --model "$model" --method "$method" --rank "$rank" --lr "$lr" --seed "$s" --out "$d")
    [[ "$scale" != 1 ]] && args+=(--lambda-scale "$scale")
    [[ "$ft_steps" -gt 0 ]] && args+=(--max-steps "$ft_steps")
    record "$d/command.txt" "${args[@]}"
    say "run $d"
    local t0=$EPOCHREALTIME
    bal "${args[@]}" >"$d/stdout.txt.tmp" 2>"$d/stderr.txt" || { say "FAILED $d (see $d/stderr.txt)"; return 1; }
    mv "$d/stdout.txt.tmp" "$d/stdout.txt"
    elapsed "$t0" >"$d/wall_s.txt"
    sed -n 's/.*validation perplexity \([0-9.]*\) -> .*/\1/p' "$d/stdout.txt" >"$d/ppl_before.txt"
    say "done $d: $(grep -m1 'validation perplexity' "$d/stdout.txt") wall $(cat "$d/wall_s.txt")s"
  fi
  score "$d" "$model" "$d/adapter"
}

lr_of() { # the grid's lr for a variant (balora-x10 takes balora's)
  local v="$1"; [[ "$v" == balora-x10 ]] && v=balora
  awk -v m="$v" '$1==m{print $2}' "$out/selected.tsv"
}

report() { python3 scripts/inheritance.py report-v2 "$out" >/dev/null 2>>"$log" && say "report: $out/report.md" || say "report failed"; }

phase_bases() {
  base clean 42; base p0.5 42; base p0.1 42; base p1 42; base clean 43; base p0.5 43
}

phase_grid() {
  base clean 42; base p0.5 42
  for m in lora pissa balora; do
    for lr in $grid_lrs; do finetune p0.5 42 "$m" "$lr" 1 || true; done
  done
  python3 scripts/inheritance.py select "$out" --lrs "$grid_lrs" >"$out/selected.tsv.tmp" && mv "$out/selected.tsv.tmp" "$out/selected.tsv"
  say "selected lrs: $(tr '\n' ' ' <"$out/selected.tsv")"
}

arm() { # arm "KINDS" PRESEED "VARIANTS" "SEEDS": seed-major, so an interrupted arm leaves complete pairs
  local kinds="$1" ps="$2" variants="$3" seeds="$4"
  [[ -f "$out/selected.tsv" ]] || phase_grid
  for k in $kinds; do base "$k" "$ps"; done
  for s in $seeds; do
    for k in $kinds; do
      for v in $variants; do finetune "$k" "$ps" "$v" "$(lr_of "$v")" "$s" || true; done
    done
    report
  done
}

case "$phase" in
  bases) phase_bases ;;
  grid) phase_grid ;;
  main) arm "clean p0.5" 42 "lora pissa balora balora-x10" "2 3 4" ;;
  dose) base clean 42; arm "p0.1 p1" 42 "lora pissa balora" "2 3"; arm "clean" 42 "lora pissa balora" "2 3"
        # a defect base pre-trained 2x as long is compared with a clean base of the same budget
        grep -q '"learned": false' "$out/bases/p0.1-s42/learned.json" 2>/dev/null && arm "clean2k" 42 "lora pissa balora" "2 3" ;;
  seed2) arm "clean p0.5" 43 "lora pissa balora" "2 3" ;;
  all)
    phase_bases; phase_grid
    arm "clean p0.5" 42 "lora pissa balora balora-x10" "2 3 4"
    arm "p0.1 p1" 42 "lora pissa balora" "2 3"
    grep -q '"learned": false' "$out/bases/p0.1-s42/learned.json" 2>/dev/null && arm "clean2k" 42 "lora pissa balora" "2 3"
    arm "clean p0.5" 43 "lora pissa balora" "2 3" ;;
esac
report
say "phase $phase done"
