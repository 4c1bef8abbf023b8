#!/usr/bin/env bash
# The one GPU script: everything balora checks and measures on an NVIDIA GPU, in one go, well under 8 minutes on an
# H200. Runs from a bundle made by scripts/gpu-bundle.sh (runtime/, lib/, tokenizer.json, data/ beside this script;
# no Maven, JDK or network needed). Needs an NVIDIA driver for CUDA 13 and the CUDA 13 libraries (found by
# cuda-env.sh: system, /usr/local/cuda, or pip nvidia-* wheels); python3 with torch, transformers and peft for the
# peer columns (skipped, and said so, without them).
#
#   gpu-check.sh [OUT_DIR]        (default ./gpu-check-out)
#   QUICK=1 gpu-check.sh [OUT_DIR]   skips the TF32 and PyTorch kernel benchmarks, the TF32 and cache-off step runs,
#                                   the dropout-on parity run and the finetune run; parity over 10 steps (~4 min)
#
# Steps, each with its own time limit; a failed step is reported and the script goes on:
#   1. probe + `balora info --device cuda`
#   2. parity suite: the kernels-cuda JUnit tests against the reference backend (incl. the dropout mask bits)
#   3. kernel benchmark, balora FP32 and TF32, and PyTorch on the same shapes (same FLOP counts)
#   4. a MiniLM-shaped BERT written by transformers (random weights: speed does not depend on them)
#   5. end-to-end training step, interleaved balora / PyTorch + PEFT: LoRA with dropout 0.1 and 0, FP32 and TF32;
#      BA-LoRA (teacher cache on) with dropout 0.1; one balora run recorded with JFR
#   6. loss-curve parity: 20 steps on the CPU backend and on CUDA, dropout off and on (the counter-based masks are the
#      same bits on every backend, so both curves must agree within float tolerance)
#   7. `balora finetune --device cuda` on food reviews with the bundled launcher, nothing set up by hand
#   8. the summary table with ratios (gpu_report.py) -> OUT_DIR/summary.md
# Exit status: 0 when every check passed, 1 when one failed, 2 when CUDA is unavailable (the reason is printed).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$(mkdir -p "${1:-$PWD/gpu-check-out}" && cd "${1:-$PWD/gpu-check-out}" && pwd)"
results="$out/results.jsonl"
: > "$results"
[[ -d "$here/runtime" && -d "$here/lib" ]] || { echo "gpu-check: run scripts/gpu-bundle.sh first and run the bundle's copy" >&2; exit 1; }
source "$here/cuda-env.sh"
java=("$here/runtime/bin/java" @"$here/jvm.args" -Dbalora.data.dir="$here/data" -cp "$here/lib/*")
py="${PYTHON:-python3}"
status=0
started=$(date +%s)
note() { echo "== [$(( $(date +%s) - started ))s] $*"; }
fail() { echo "!! $*"; echo "{\"check\": \"$1\", \"ok\": false}" >> "$results"; status=1; }

note "host: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1048576)" GiB"}' /proc/meminfo); LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader

note "1. probe"
if ! timeout 60 "${java[@]}" dev.balora.cli.Main info --device cuda > "$out/info.txt" 2>&1; then
  cat "$out/info.txt"; echo "gpu-check: CUDA unavailable"; exit 2
fi
grep -A14 '^backend' "$out/info.txt"

note "2. parity suite (+ FP32 kernel benchmark)"
timeout 150 "${java[@]}" -Xmx16g dev.balora.kernels.cuda.GpuCheck "$out/kernels.tsv" > "$out/parity.txt" 2>&1 \
  || fail parity "parity suite or FP32 benchmark failed (exit $?)"
grep -E 'tests (successful|failed|found)|Test.*✘|MethodSource|=>|JUnit' "$out/parity.txt" | head -40
note "3. kernel benchmark TF32, then PyTorch"
[[ -n "${QUICK:-}" ]] || timeout 90 "${java[@]}" -Dbalora.cuda.tf32=true dev.balora.kernels.cuda.GpuCheck "$out/kernels.tsv" --bench-only \
  > "$out/kernels-tf32.txt" 2>&1 || fail kernels-tf32 "TF32 benchmark failed"
have_torch=false
if timeout 60 "$py" -c 'import torch, transformers, peft; assert torch.cuda.is_available()' 2>/dev/null; then
  have_torch=true
  if [[ -z "${QUICK:-}" ]]; then
    timeout 90 "$py" "$here/torch_gpu_step.py" kernels --out "$results" > /dev/null || fail torch-kernels "torch kernels"
    timeout 90 "$py" "$here/torch_gpu_step.py" kernels --tf32 --out "$results" > /dev/null || fail torch-kernels "torch kernels tf32"
  fi
else
  echo "gpu-check: python3 with torch (CUDA), transformers and peft not found: no PyTorch columns"
fi
cat "$out/kernels.tsv"

note "4. MiniLM-shaped model"
model="$out/minilm-shaped"
if $have_torch; then
  timeout 120 "$py" "$here/make_minilm_shaped.py" "$model" "$here/tokenizer.json" > /dev/null 2>&1 || fail model "writing the model"
else
  echo "gpu-check: no transformers: end-to-end steps skipped"; model=""
fi

if [[ -n "$model" ]]; then
  note "5. end-to-end step, interleaved"
  timeout 60 "${java[@]}" dev.balora.bench.gpu.DeviceStepBench model="$model" export-batches="$out/batches.bin" \
    > /dev/null 2>&1 || fail export "exporting batches"
  bal() { timeout 90 "${java[@]}" -Xmx8g "$@" dev.balora.bench.gpu.DeviceStepBench model="$model" device=cuda \
            out="$results" $BAL_ARGS 2>&1 | grep -E '^RESULT|Exception|Error' | cut -c1-400 || true; }
  tor() { timeout 90 "$py" "$here/torch_gpu_step.py" step --model "$model" --batches "$out/batches.bin" --out "$results" "$@" \
            2>&1 | grep -E '^RESULT|Error' | cut -c1-400 || true; }
  BAL_ARGS="method=lora dropout=0.1" bal
  tor --dropout 0.1
  # Dropout off, recorded with JFR (sampling profiler; its overhead is within run-to-run noise).
  BAL_ARGS="method=lora dropout=0" bal -XX:StartFlightRecording=filename="$out/step.jfr",settings=profile
  tor --dropout 0
  if [[ -z "${QUICK:-}" ]]; then
    BAL_ARGS="method=lora dropout=0.1" bal -Dbalora.cuda.tf32=true
    tor --dropout 0.1 --tf32
  fi
  BAL_ARGS="method=balora dropout=0.1 cache=on" bal
  # Device time per kernel (CUDA events around every launch and GEMM; not a timed run: the events cost host time).
  timeout 90 "${java[@]}" -Xmx8g -Dbalora.cuda.profile=true dev.balora.bench.gpu.DeviceStepBench model="$model" \
    device=cuda method=lora dropout=0.1 out="$out/profile.jsonl" 2>&1 | grep -E 'Exception|Error' | head -3
  [[ -n "${QUICK:-}" ]] || BAL_ARGS="method=balora dropout=0.1 cache=off" bal

  note "6. loss-curve parity, CPU backend vs CUDA (20 steps from the same start)"
  parity_drops="0 0.1"
  parity_steps=20
  # A second CUDA run with dropout off: are two GPU runs bit-identical (atomic reductions may reorder float sums)?
  timeout 90 "${java[@]}" -Xmx8g dev.balora.bench.gpu.DeviceStepBench model="$model" device=cuda method=lora \
    dropout=0 warmup=0 steps=20 out="$out/repeat.jsonl" 2>&1 | grep -E 'Exception|Error' | head -3
  [[ -z "${QUICK:-}" ]] || { parity_drops="0"; parity_steps=10; }
  for d in $parity_drops; do
    for dev in cpu cuda; do
      timeout 150 "${java[@]}" -Xmx16g dev.balora.bench.gpu.DeviceStepBench model="$model" device="$dev" method=lora \
        dropout="$d" warmup=0 steps=$parity_steps out="$out/parity.jsonl" 2>&1 | grep -E 'Exception|Error' | head -3
    done
  done

  note "7. balora finetune --device cuda (the bundled launcher)"
  [[ -n "${QUICK:-}" ]] || timeout 180 "$here/balora" finetune --device cuda --model "$model" --train "$here/data/food-reviews/food-reviews-train.tsv" \
    --eval "$here/data/food-reviews/food-reviews-test.tsv" --max-eval 256 --batch 32 --max-length 128 --max-steps 60 \
    --out "$out/finetune" > "$out/finetune.txt" 2>&1 || fail finetune "balora finetune --device cuda (see finetune.txt)"
  [[ -n "${QUICK:-}" ]] || tail -5 "$out/finetune.txt"
fi

note "8. summary"
if command -v "$py" >/dev/null; then
  "$py" "$here/gpu_report.py" "$results" "$out/parity.jsonl" "$out/kernels.tsv" "$out/finetune/metrics.jsonl" \
    "$out/profile.jsonl" "$out/repeat.jsonl" \
    | tee "$out/summary.md"
fi
note "done, exit $status"
exit $status
