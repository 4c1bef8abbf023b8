#!/usr/bin/env bash
# NLU comparison of LoRA, PiSSA, BA-LoRA and BA-LoRA with one regularizer (issue 9, part 1).
#
#   scripts/repro-nlu.sh --quick             pipeline check in a few minutes (tiny subsets, 1 seed, MiniLM)
#   scripts/repro-nlu.sh                     the reduced real experiment on food reviews (defaults below)
#   scripts/repro-nlu.sh --task austen       the second task: which Austen novel a sentence is from (6 classes)
#   scripts/repro-nlu.sh --out DIR --task food --backbones "minilm bge-small" --seeds "1 2 3" \
#       --lrs "1e-4 3e-4 1e-3 3e-3" --n-train 640 --n-val 200 --n-test 0 --max-length 48 --epochs 1 --batch 8 \
#       --cpus 1 --threads 1
#
# Protocol
#   1. Data. food: a stratified, deterministic train/validation split of data/food-reviews/food-reviews-train.tsv
#      (4,000 rows); the test set is food-reviews-test.tsv (all 1,000 rows unless --n-test). austen: balanced
#      sentences of the six novels (scripts/repro_stats.py split-austen); train/val/test are disjoint.
#   2. Every run trains on train, evaluates on validation (summary.json, predictions.tsv) and predicts the test set
#      once at the end (balora finetune --test: test_metrics.json, test_predictions.tsv). The test set never
#      influences training or selection.
#   3. Learning-rate grid for lora, pissa and balora with the first seed: the best lr per method by validation
#      accuracy (ties to the smaller lr) is kept (selected.tsv). The single-regularizer variants use balora's lr.
#      --fixed-lrs "lora=A pissa=B balora=C" skips the grid (e.g. lrs chosen on the other task's validation split).
#   4. The remaining seeds run at the selected lr; the first seed's run is the grid run itself. Pairs across methods
#      share the seed (adapter init, data order) and the data files.
#   5. scripts/repro_stats.py report: tables, paired tests over seeds, paired bootstrap over test examples,
#      McNemar per seed, regularizer curves, one PNG per backbone.
# Resumable: a run whose test_metrics.json exists is skipped. Every run folder holds settings.json (all options)
# and command.txt. Compute knobs: --cpus LIST pins every training to those cores (taskset), --threads N sets
# balora's thread count (-Dbalora.threads through JDK_JAVA_OPTIONS), --balora CMD replaces the ./balora launcher
# (e.g. a frozen copy of the CLI, so that editing sources during a long run cannot trigger a rebuild under it).
# --start-before HH:MM (UTC) starts no new run from that time on (runs already going finish; the rest resume later).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

task=food; out=""; backbones="minilm bge-small"; seeds="1 2 3"; lrs="1e-4 3e-4 1e-3 3e-3"
n_train=640; n_val=200; n_test=0; max_length=48; epochs=1; batch=8; rank=8
lambda1=0.15; lambda2=0.03; lambda3=0.03; svd_k=5; target=pooled; teacher=original
cpus=""; threads=""; balora=./balora; fixed_lrs=""; start_before=""
quick=false
# core methods first for every seed, then the ablations: a budget cut still leaves complete core pairs
variant_groups="lora,pissa,balora balora-cr-only,balora-dr-only,balora-svdr-only"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=true; shift ;;
    --task) task="$2"; shift 2 ;;
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
    --cpus) cpus="$2"; shift 2 ;;                 # e.g. 1 (taskset -c 1); default: not pinned
    --threads) threads="$2"; shift 2 ;;           # balora.threads; default: balora's own choice
    --balora) balora="$2"; shift 2 ;;
    --fixed-lrs) fixed_lrs="$2"; shift 2 ;;       # "lora=3e-3 pissa=3e-4 balora=3e-4": no grid, these lrs
    --start-before) start_before="$2"; shift 2 ;; # HH:MM UTC: no new run starts from then on

    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "repro-nlu: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$task" in
  food|austen) ;;
  *) echo "repro-nlu: --task must be food or austen, got '$task'" >&2; exit 2 ;;
esac
if [[ -n "$start_before" && ! "$start_before" =~ ^[0-2][0-9]:[0-5][0-9]$ ]]; then
  echo "repro-nlu: --start-before must be HH:MM (UTC), got '$start_before'" >&2; exit 2
fi
if $quick; then
  backbones="minilm"; seeds="1"; lrs="1e-3"; n_train=64; n_val=48; n_test=60; max_length=32; batch=16
  if [[ "$task" == austen ]]; then n_train=60; n_val=48; n_test=60; fi
  variant_groups="lora,pissa,balora"
  [[ -z "$out" ]] && out="runs/repro-nlu-$task-quick"
fi
[[ -z "$out" ]] && out="runs/repro-nlu-$task"
if [[ "$task" == austen && "$n_test" -le 0 ]]; then n_test=600; fi
mkdir -p "$out"
log="$out/repro.log"
say() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$log"; }
launch=()
[[ -n "$cpus" ]] && launch=(taskset -c "$cpus")
java_opts="${JDK_JAVA_OPTIONS:-}"
[[ -n "$threads" ]] && java_opts="$java_opts -Dbalora.threads=$threads"

# host facts, once per invocation
{
  echo "date: $(date -Is)"; echo "host: $(uname -srm)"; echo "cpus: $(nproc)"
  grep -m1 'model name' /proc/cpuinfo || true; echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "args: task=$task quick=$quick backbones='$backbones' seeds='$seeds' lrs='$lrs' n_train=$n_train n_val=$n_val n_test=$n_test max_length=$max_length epochs=$epochs batch=$batch rank=$rank cpus='$cpus' threads='$threads' balora='$balora'"
} >>"$out/host.txt"

data="$out/data"
if [[ ! -f "$data/test.tsv" ]]; then
  if [[ "$task" == food ]]; then
    python3 scripts/repro_stats.py split data/food-reviews/food-reviews-train.tsv data/food-reviews/food-reviews-test.tsv \
      "$data" --n-train "$n_train" --n-val "$n_val" --n-test "$n_test" | tee -a "$log"
  else
    python3 scripts/repro_stats.py split-austen data/austen "$data" --n-train "$n_train" --n-val "$n_val" \
      --n-test "$n_test" | tee -a "$log"
  fi
fi

# run DIR METHOD LR SEED L1 L2 L3 BACKBONE
run() {
  local dir="$1" method="$2" lr="$3" seed="$4" l1="$5" l2="$6" l3="$7" bb="$8"
  if [[ -f "$dir/test_metrics.json" ]]; then return 0; fi
  if [[ -n "$start_before" ]] && ! [[ "$(date -u +%H:%M)" < "$start_before" ]]; then
    say "not started (--start-before $start_before UTC): $dir"; return 1
  fi
  mkdir -p "$dir"
  local args=(finetune --model "$bb" --train "$data/train.tsv" --eval "$data/val.tsv" --test "$data/test.tsv"
              --method "$method" --rank "$rank" --lr "$lr" --epochs "$epochs" --batch "$batch" --max-length "$max_length"
              --seed "$seed" --lambda1 "$l1" --lambda2 "$l2" --lambda3 "$l3" --svd-k "$svd_k" --target "$target"
              --teacher "$teacher" --out "$dir")
  { [[ -n "$java_opts" ]] && printf 'JDK_JAVA_OPTIONS=%q ' "$java_opts"
    printf '%q ' "${launch[@]}" "$balora" "${args[@]}"; echo; } >"$dir/command.txt"
  cat >"$dir/settings.json" <<EOF
{"task": "$task", "backbone": "$bb", "method": "$method", "lr": $lr, "seed": $seed, "lambda1": $l1, "lambda2": $l2,
 "lambda3": $l3, "svd_k": $svd_k, "target": "$target", "teacher": "$teacher", "rank": $rank, "alpha": $rank,
 "epochs": $epochs, "batch": $batch, "max_length": $max_length, "train": "$data/train.tsv", "eval": "$data/val.tsv",
 "test": "$data/test.tsv", "cpus": "$cpus", "threads": "$threads"}
EOF
  say "run $dir"
  local t0=$EPOCHREALTIME
  if ! JDK_JAVA_OPTIONS="$java_opts" "${launch[@]}" "$balora" "${args[@]}" >"$dir/stdout.txt" 2>"$dir/stderr.txt"; then
    say "FAILED $dir (see $dir/stderr.txt)"; return 1
  fi
  python3 -c "import sys;print(round(float(sys.argv[1])-float(sys.argv[2]),1))" "$EPOCHREALTIME" "$t0" >"$dir/wall_s.txt"
  say "done $dir: $(python3 -c "
import json,sys
v=json.load(open(sys.argv[1]+'/summary.json'))['final_eval'];t=json.load(open(sys.argv[1]+'/test_metrics.json'))
print('val acc %.4f, test acc %.4f f1 %.4f'%(v['accuracy'],t['accuracy'],t['macro_f1']))" "$dir") wall $(cat "$dir/wall_s.txt")s"
}

lambdas_of() { # variant -> "method l1 l2 l3"
  case "$1" in
    lora) echo "lora 0 0 0" ;;
    pissa) echo "pissa 0 0 0" ;;
    balora) echo "balora $lambda1 $lambda2 $lambda3" ;;
    balora-cr-only) echo "balora $lambda1 0 0" ;;
    balora-dr-only) echo "balora 0 $lambda2 0" ;;
    balora-svdr-only) echo "balora 0 0 $lambda3" ;;
    *) echo "repro-nlu: unknown variant $1" >&2; exit 2 ;;
  esac
}

read -r grid_seed _ <<<"$seeds"
for bb in $backbones; do
  base="$out/$bb"
  mkdir -p "$base/runs"
  echo "$grid_seed" >"$base/grid_seed.txt"
  # 1. lr grid on validation with the first seed (or lrs fixed beforehand, e.g. chosen on another task's validation)
  : >"$base/selected.tsv.tmp"
  for kv in $fixed_lrs; do printf '%s\t%s\n' "${kv%%=*}" "${kv#*=}" >>"$base/selected.tsv.tmp"; done
  for m in lora pissa balora; do
    [[ -n "$fixed_lrs" ]] && break
    read -r method l1 l2 l3 <<<"$(lambdas_of "$m")"
    best=""; best_acc=-1
    for lr in $lrs; do
      d="$base/runs/$m-lr$lr-s$grid_seed"
      run "$d" "$method" "$lr" "$grid_seed" "$l1" "$l2" "$l3" "$bb" || continue
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
  python3 scripts/repro_stats.py report "$out" >/dev/null || true
  # 2. the other seeds at the selected lr, seed-major so that an interrupted run still has complete pairs
  for group in $variant_groups; do
   for s in $seeds; do
    for v in ${group//,/ }; do
      read -r method l1 l2 l3 <<<"$(lambdas_of "$v")"
      sel="$v"; [[ "$v" == balora-*-only ]] && sel=balora
      lr=$(awk -v m="$sel" '$1==m{print $2}' "$base/selected.tsv")
      run "$base/runs/$v-lr$lr-s$s" "$method" "$lr" "$s" "$l1" "$l2" "$l3" "$bb" || true
    done
   done
   python3 scripts/repro_stats.py report "$out" >/dev/null || true
  done
  python3 scripts/repro_stats.py report "$out" >/dev/null && say "report: $out/report.md"
done
python3 scripts/repro_stats.py report "$out" >/dev/null
say "all done: $out/report.md"
