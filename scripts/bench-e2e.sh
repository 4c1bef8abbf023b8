#!/usr/bin/env bash
# End-to-end training-step benchmark (issue 6): MiniLM-L6 + rank-8 adapters on all six BERT targets, batch 32 x 128
# food-review tokens, forward + backward + AdamW, for lora, pissa and balora (teacher cache on / off), balora against a
# PyTorch peer that trains the same weights on the same batches. Every configuration runs in a fresh process (peak RSS
# is per process); sides are interleaved (balora, torch, balora, torch ...) so both see the same host load.
#
#   scripts/bench-e2e.sh                    1 round, threads 1 and 2, all methods, both sides
#   ROUNDS=3 THREADS="1" scripts/bench-e2e.sh
#   METHODS="lora balora:on" STEPS=5 WARMUP=3 scripts/bench-e2e.sh
#   PROFILE=1 scripts/bench-e2e.sh          also record a JFR profile of balora (lora, 1 thread) and summarise it
#   NO_TORCH=1 scripts/bench-e2e.sh         balora only (no peer, no torch needed)
#   JAVA_EXTRA="-Xmx2g" scripts/bench-e2e.sh   extra JVM flags for the balora runs
#
# PyTorch: TORCH_PATH (default /tmp/torchpkg) is put on PYTHONPATH; install it offline with
#   pip install --no-deps --no-index --target /tmp/torchpkg /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl
# Results: bench/target/e2e/results.jsonl (appended), the Markdown table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
out="$root/bench/target/e2e"
mkdir -p "$out"
results="${RESULTS:-$out/results.jsonl}"
ROUNDS="${ROUNDS:-1}"
THREADS="${THREADS:-1 2}"
METHODS="${METHODS:-lora pissa balora:on balora:off}"
WARMUP="${WARMUP:-2}"
STEPS="${STEPS:-3}"
TORCH_PATH="${TORCH_PATH:-/tmp/torchpkg}"
PYTHON="${PYTHON:-python3}"

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

balora() { # threads args...
  local t="$1"; shift
  # shellcheck disable=SC2086
  "$JAVA" $FLAGS ${JAVA_EXTRA:-} -Dbalora.threads="$t" -cp "$CP" dev.balora.bench.e2e.StepBench threads="$t" "$@" \
    2> >(grep -v '^WARNING' >&2)
}

if [[ -z "${NO_TORCH:-}" ]]; then
  PYTHONPATH="$TORCH_PATH" "$PYTHON" -c 'import torch' 2>/dev/null \
    || { echo "bench-e2e: torch not importable from $TORCH_PATH (see the header of this script, or NO_TORCH=1)" >&2; exit 1; }
  for m in lora pissa balora; do
    if [[ ! -f "$out/$m.safetensors" ]]; then
      echo "bench-e2e: exporting the $m model and batches for the peer..." >&2
      balora 1 method="$m" batches=2 export="$out/$m.safetensors" >&2
    fi
  done
fi

torch_run() { # threads method cache
  local t="$1" m="$2" c="$3"
  OMP_NUM_THREADS="$t" MKL_NUM_THREADS="$t" PYTHONPATH="$TORCH_PATH" "$PYTHON" bench/peers/torch_step.py \
    --weights "$out/$m.safetensors" --threads "$t" --cache "$c" --warmup "$WARMUP" --steps "$STEPS" --out "$results"
}

for ((round = 1; round <= ROUNDS; round++)); do
  for t in $THREADS; do
    for spec in $METHODS; do
      m="${spec%%:*}"; c=on; [[ "$spec" == *:* ]] && c="${spec#*:}"
      echo "bench-e2e: round $round, threads $t, $spec: balora" >&2
      balora "$t" method="$m" cache="$c" batches=2 warmup="$WARMUP" steps="$STEPS" out="$results" >/dev/null
      if [[ -z "${NO_TORCH:-}" ]]; then
        echo "bench-e2e: round $round, threads $t, $spec: torch" >&2
        torch_run "$t" "$m" "$c" >/dev/null
      fi
    done
  done
done

if [[ -n "${PROFILE:-}" ]]; then
  echo "bench-e2e: JFR profile of balora (lora, 1 thread)..." >&2
  jfr="$out/lora-t1.jfr"
  JAVA_EXTRA="${JAVA_EXTRA:-} -XX:StartFlightRecording=filename=$jfr,settings=profile" \
    balora 1 method=lora batches=2 warmup="$WARMUP" steps="$STEPS" out="$out/profile-run.jsonl" >/dev/null
  "$JAVA" $FLAGS -cp "$CP" dev.balora.bench.e2e.JfrOpProfile "$jfr"
fi

echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "jdk: $("$JAVA" -version 2>&1 | head -n1); flags: $FLAGS ${JAVA_EXTRA:-}"
"$JAVA" -cp "$CP" dev.balora.bench.e2e.ResultTable "$results"
