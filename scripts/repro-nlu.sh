#!/usr/bin/env bash
# NLU comparison of LoRA, PiSSA, BA-LoRA and BA-LoRA with one regularizer (issue 9, part 1).
#
#   scripts/repro-nlu.sh --quick             pipeline check in a few minutes (tiny subsets, 1 seed, MiniLM)
#   scripts/repro-nlu.sh                     the reduced real experiment (defaults below)
#   scripts/repro-nlu.sh --out DIR --backbones "minilm bge-small" --seeds "1 2 3" --lrs "5e-4 1e-3" \
#       --n-train 1200 --n-val 400 --n-test 0 --max-length 64 --epochs 1
#
# Protocol
#   1. Split data/food-reviews/food-reviews-train.tsv (4,000 rows) into a stratified, deterministic train and
#      validation split (scripts/repro_stats.py split); the 1,000 test rows are only used by the final runs.
#   2. Learning-rate grid on the validation split with the grid seed (0) for lora, pissa and balora; the best lr
#      per method (validation accuracy, ties to the smaller lr) is kept. The single-regularizer variants use
#      balora's lr (their λ is the only thing that changes).
#   3. Final runs: every method × every seed, trained on the train split, evaluated once on the test split.
#      Pairs across methods share the seed (adapter init, data order) and the data files.
#   4. scripts/repro_stats.py report: tables, paired tests, seed bootstrap, regularizer curves, one PNG per backbone.
# Resumable: a run whose summary.json exists is skipped. Every run folder holds settings.json (all options) and
# command.txt. CLI gaps worked around here: the CLI evaluates on one file per run and exports no per-example
# predictions, so validation (grid) and test (final) are separate runs, and the bootstrap is over seeds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

out="runs/repro-nlu"; backbones="minilm bge-small"; seeds="1 2 3"; grid_seed=0; lrs="5e-4 1e-3"
n_train=1200; n_val=400; n_test=0; max_length=64; epochs=1; batch=16; rank=8
lambda1=0.15; lambda2=0.03; lambda3=0.03; svd_k=5; target=pooled; teacher=original
quick=false
# core methods first for every seed, then the ablations: a budget cut still leaves complete core pairs
variant_groups="lora,pissa,balora balora-cr-only,balora-dr-only,balora-svdr-only"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=true; shift ;;
    --out) out="$2"; shift 2 ;;
    --backbones) backbones="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --lrs) lrs="$2"; shift 2 ;;
    --n-train) n_train="$2"; shift 2 ;;
    --n-val) n_val="$2"; shift 2 ;;
    --n-test) n_test="$2"; shift 2 ;;
    --max-length) max_length="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --rank) rank="$2"; shift 2 ;;
    --lambdas) read -r lambda1 lambda2 lambda3 <<<"$2"; shift 2 ;;
    --svd-k) svd_k="$2"; shift 2 ;;
    --variants) variant_groups="$2"; shift 2 ;;   # e.g. "lora,pissa,balora balora-cr-only"
    --target) target="$2"; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "repro-nlu: unknown option $1" >&2; exit 2 ;;
  esac
done
if $quick; then
  [[ "$out" == "runs/repro-nlu" ]] && out="runs/repro-nlu-quick"
  backbones="minilm"; seeds="1"; lrs="1e-3"; n_train=64; n_val=48; n_test=64; max_length=32; batch=16
  variant_groups="lora,pissa,balora"
fi
mkdir -p "$out"
log="$out/repro.log"
say() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$log"; }

# host facts, once per invocation
{
  echo "date: $(date -Is)"; echo "host: $(uname -srm)"; echo "cpus: $(nproc)"
  grep -m1 'model name' /proc/cpuinfo || true; echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "args: quick=$quick backbones='$backbones' seeds='$seeds' lrs='$lrs' n_train=$n_train n_val=$n_val n_test=$n_test max_length=$max_length epochs=$epochs batch=$batch rank=$rank"
} >>"$out/host.txt"

data="$out/data"
if [[ ! -f "$data/test.tsv" ]]; then
  python3 scripts/repro_stats.py split data/food-reviews/food-reviews-train.tsv data/food-reviews/food-reviews-test.tsv \
    "$data" --n-train "$n_train" --n-val "$n_val" --n-test "$n_test" | tee -a "$log"
fi

# run DIR EVALFILE METHOD LR SEED L1 L2 L3 BACKBONE
run() {
  local dir="$1" ev="$2" method="$3" lr="$4" seed="$5" l1="$6" l2="$7" l3="$8" bb="$9"
  if [[ -f "$dir/summary.json" ]]; then say "skip $dir (done)"; return 0; fi
  mkdir -p "$dir"
  local args=(finetune --model "$bb" --train "$data/train.tsv" --eval "$ev" --method "$method" --rank "$rank"
              --lr "$lr" --epochs "$epochs" --batch "$batch" --max-length "$max_length" --seed "$seed"
              --lambda1 "$l1" --lambda2 "$l2" --lambda3 "$l3" --svd-k "$svd_k" --target "$target"
              --teacher "$teacher" --out "$dir")
  printf '%q ' ./balora "${args[@]}" >"$dir/command.txt"; echo >>"$dir/command.txt"
  cat >"$dir/settings.json" <<EOF
{"backbone": "$bb", "method": "$method", "lr": $lr, "seed": $seed, "lambda1": $l1, "lambda2": $l2, "lambda3": $l3,
 "svd_k": $svd_k, "target": "$target", "teacher": "$teacher", "rank": $rank, "alpha": $rank, "epochs": $epochs,
 "batch": $batch, "max_length": $max_length, "train": "$data/train.tsv", "eval": "$ev"}
EOF
  say "run $dir"
  local t0=$EPOCHREALTIME
  if ! ./balora "${args[@]}" >"$dir/stdout.txt" 2>"$dir/stderr.txt"; then
    say "FAILED $dir (see $dir/stderr.txt)"; return 1
  fi
  python3 -c "import sys;print(round(float(sys.argv[1])-float(sys.argv[2]),1))" "$EPOCHREALTIME" "$t0" >"$dir/wall_s.txt"
  say "done $dir: $(python3 -c "import json,sys;e=json.load(open(sys.argv[1]))['final_eval'];print('acc %.4f f1 %.4f'%(e['accuracy'],e['macro_f1']))" "$dir/summary.json") wall $(cat "$dir/wall_s.txt")s"
}

lambdas_of() { # variant -> "method l1 l2 l3"
  case "$1" in
    lora) echo "lora 0 0 0" ;;
    pissa) echo "pissa 0 0 0" ;;
    balora) echo "balora $lambda1 $lambda2 $lambda3" ;;
    balora-cr-only) echo "balora $lambda1 0 0" ;;
    balora-dr-only) echo "balora 0 $lambda2 0" ;;
    balora-svdr-only) echo "balora 0 0 $lambda3" ;;
  esac
}

for bb in $backbones; do
  base="$out/$bb"
  mkdir -p "$base"
  # 1. lr grid on validation (grid seed only)
  : >"$base/selected.tsv.tmp"
  for m in lora pissa balora; do
    read -r method l1 l2 l3 <<<"$(lambdas_of "$m")"
    best=""; best_acc=-1
    for lr in $lrs; do
      d="$base/grid/$m-lr$lr"
      run "$d" "$data/val.tsv" "$method" "$lr" "$grid_seed" "$l1" "$l2" "$l3" "$bb" || continue
      acc=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['final_eval']['accuracy'])" "$d/summary.json")
      if python3 -c "import sys;sys.exit(0 if float(sys.argv[1])>float(sys.argv[2]) else 1)" "$acc" "$best_acc"; then
        best="$lr"; best_acc="$acc"
      fi
    done
    [[ -n "$best" ]] || { say "no grid run of $m finished on $bb"; exit 1; }
    printf '%s\t%s\n' "$m" "$best" >>"$base/selected.tsv.tmp"
  done
  mv "$base/selected.tsv.tmp" "$base/selected.tsv"
  say "$bb selected lrs: $(tr '\n' ' ' <"$base/selected.tsv")"
  # 2. final runs on test, seed-major so that an interrupted run still has complete seeds for every method
  for group in $variant_groups; do
   for s in $seeds; do
    for v in ${group//,/ }; do
      read -r method l1 l2 l3 <<<"$(lambdas_of "$v")"
      sel="$v"; [[ "$v" == balora-*-only ]] && sel=balora
      lr=$(awk -v m="$sel" '$1==m{print $2}' "$base/selected.tsv")
      run "$base/final/$v-s$s" "$data/test.tsv" "$method" "$lr" "$s" "$l1" "$l2" "$l3" "$bb" || true
    done
   done
  done
  python3 scripts/repro_stats.py report "$out" >/dev/null && say "report: $out/report.md"
done
python3 scripts/repro_stats.py report "$out" >/dev/null
say "all done: $out/report.md"
