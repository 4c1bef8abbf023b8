#!/usr/bin/env bash
# Controlled inheritance experiment (issue 9, part 2): does a defect planted in pre-training survive LoRA, PiSSA and
# BA-LoRA fine-tuning on clean text?
#
#   scripts/repro-inheritance.sh --quick     pipeline check in a few minutes (tiny bases, 8 fine-tune steps, 1 seed)
#   scripts/repro-inheritance.sh             the experiment (defaults below; about 45 min on half a loaded core)
#   scripts/repro-inheritance.sh --out DIR --seeds "1 2 3" --p 0.5 --pre-steps 300 --pre-batch 8 --ft-steps 60 --core 1
#
# Protocol
#   1. scripts/inheritance.py prepare: the five pre-training novels verbatim (clean) and with the planted association
#      (defect: after every word "she"/"She" the word " foolish" is inserted with probability p), plus the scoring
#      contexts, all from Persuasion: held-out "she" contexts (primary), held-out "he" contexts (control) and "she"
#      contexts the fine-tune trains on.
#   2. Two bases with the same seed, size and step budget: clean first (it trains the BPE), then the defect base with
#      the clean base's tokenizer (--tokenizer), so that both see the same token ids and their numbers compare.
#   3. Each base fine-tuned on clean Persuasion (finetune-lm defaults: r = 8, lr 5e-4, NLG BA-LoRA λ) with lora, pissa
#      and balora, every seed; pairs share the seed (adapter init and data order).
#   4. balora score-lm on every base and every fine-tuned model: exact log P(" foolish" | context) and whether greedy
#      decoding emits it; the fine-tune's own validation perplexity on Persuasion's held-out tail.
#   5. scripts/inheritance.py report: tables, survival ratio, paired tests, bootstraps, one PNG.
# Resumable: a step whose output exists is skipped. Every process runs pinned (taskset -c CORE) with one compute
# thread (-Dbalora.threads=1 through JAVA_TOOL_OPTIONS). Commands are recorded in each run's command.txt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

out="runs/repro-inheritance"; seeds="1 2 3"; methods="lora pissa balora"; p=0.5; word=" foolish"; core=1
pre_seed=42; pre_steps=300; vocab=2048; hidden=128; layers=2; heads=4; block=64; pre_batch=8; pre_lr=3e-3
ft_steps=60; rank=8
quick=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=true; shift ;;
    --out) out="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --methods) methods="$2"; shift 2 ;;
    --p) p="$2"; shift 2 ;;
    --core) core="$2"; shift 2 ;;
    --pre-steps) pre_steps="$2"; shift 2 ;;
    --pre-batch) pre_batch="$2"; shift 2 ;;
    --ft-steps) ft_steps="$2"; shift 2 ;;
    --hidden) hidden="$2"; shift 2 ;;
    --layers) layers="$2"; shift 2 ;;
    --vocab) vocab="$2"; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "repro-inheritance: unknown option $1" >&2; exit 2 ;;
  esac
done
if $quick; then
  [[ "$out" == "runs/repro-inheritance" ]] && out="runs/repro-inheritance-quick"
  seeds="1"; pre_steps=40; ft_steps=8; vocab=1024; hidden=64
fi
mkdir -p "$out"
log="$out/repro.log"
say() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$log"; }
bal() { JAVA_TOOL_OPTIONS="-Dbalora.threads=1" taskset -c "$core" ./balora "$@"; }
elapsed() { python3 -c "import sys;print(round(float(sys.argv[1])-float(sys.argv[2]),1))" "$EPOCHREALTIME" "$1"; }

./balora --version >/dev/null 2>&1 || ./balora --version   # builds when needed, unpinned (builds are not pinned)
{
  echo "date: $(date -Is)"; echo "host: $(uname -srm)"; echo "cpus: $(nproc)"
  grep -m1 'model name' /proc/cpuinfo || true; echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "args: quick=$quick seeds='$seeds' methods='$methods' p=$p word='$word' core=$core pre_steps=$pre_steps vocab=$vocab hidden=$hidden layers=$layers heads=$heads block=$block pre_batch=$pre_batch pre_lr=$pre_lr ft_steps=$ft_steps rank=$rank"
} >>"$out/host.txt"
t_all=$EPOCHREALTIME

data="$out/data"
if [[ ! -f "$data/prepare.json" ]]; then
  python3 scripts/inheritance.py prepare "$data" --p "$p" --word "$word" | tee -a "$log"
fi

# record DIR ARGS...: writes DIR/command.txt
record() { local d="$1"; shift; mkdir -p "$d"; printf '%q ' taskset -c "$core" ./balora "$@" >"$d/command.txt"; echo >>"$d/command.txt"; }

score() { # score DIR MODEL [ADAPTER]
  local d="$1" model="$2" adapter="${3:-}"
  [[ -f "$d/scores.tsv" ]] && return 0
  local args=(score-lm --model "$model" --pairs "$data/pairs.tsv" --out "$d/scores.tsv.tmp")
  [[ -n "$adapter" ]] && args+=(--adapter "$adapter")
  bal "${args[@]}" >"$d/score.txt" 2>"$d/score.err" || { say "FAILED scoring $d (see $d/score.err)"; return 1; }
  mv "$d/scores.tsv.tmp" "$d/scores.tsv"
  say "scored $d: $(grep she_heldout "$d/score.txt")"
}

pretrain() { # pretrain KIND [--tokenizer FILE]
  local kind="$1"; shift
  local d="$out/$kind/pretrain"
  if [[ ! -f "$d/model/model.safetensors" ]]; then
    rm -rf "$d"
    local texts; texts=$(ls "$data/$kind"/*.txt | paste -sd, -)
    local args=(pretrain --text "$texts" --out "$d" --seed "$pre_seed" --max-steps "$pre_steps" --vocab "$vocab"
                --hidden "$hidden" --layers "$layers" --heads "$heads" --block "$block" --batch "$pre_batch" --lr "$pre_lr" "$@")
    record "$out/$kind" "${args[@]}"; mv "$out/$kind/command.txt" "$out/$kind/pretrain-command.txt"
    say "pretrain $kind"
    local t0=$EPOCHREALTIME
    bal "${args[@]}" >"$out/$kind/pretrain-stdout.txt" 2>"$out/$kind/pretrain-stderr.txt" \
      || { say "FAILED pretrain $kind (see $out/$kind/pretrain-stderr.txt)"; exit 1; }
    elapsed "$t0" >"$out/$kind/pretrain-wall_s.txt"
    say "done pretrain $kind: $(grep -m1 'pretrained' "$out/$kind/pretrain-stdout.txt") wall $(cat "$out/$kind/pretrain-wall_s.txt")s"
  fi
  mkdir -p "$out/$kind/base"
  score "$out/$kind/base" "$d/model"
}

finetune() { # finetune KIND METHOD SEED
  local kind="$1" m="$2" s="$3"
  local d="$out/$kind/$m-s$s" model="$out/$kind/pretrain/model"
  [[ -f "$d/scores.tsv" ]] && { say "skip $d (done)"; return 0; }
  if [[ ! -f "$d/summary.json" || ! -f "$d/adapter/adapter_config.json" ]]; then
    rm -rf "$d"
    local args=(finetune-lm --model "$model" --method "$m" --rank "$rank" --max-steps "$ft_steps" --seed "$s" --out "$d")
    record "$d" "${args[@]}"
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

pretrain clean
pretrain defect --tokenizer "$out/clean/pretrain/model/tokenizer.json"
# seed-major, both bases per seed: an interrupted run still leaves complete pairs
for s in $seeds; do
  for kind in clean defect; do
    for m in $methods; do
      finetune "$kind" "$m" "$s" || true
    done
  done
  python3 scripts/inheritance.py report "$out" >/dev/null && say "report after seed $s: $out/report.md"
done
python3 scripts/inheritance.py report "$out" >/dev/null
echo "$(elapsed "$t_all")" >>"$out/total_wall_s.txt"
say "all done in $(tail -n1 "$out/total_wall_s.txt") s: $out/report.md"
