#!/usr/bin/env bash
# Checks that every folder balora writes loads with the standard one-liners of transformers, PEFT and
# sentence-transformers and gives balora's numbers (tools/check_hf_interop.py says what is compared).
#
#   tools/check_hf_interop.sh [WORK]     WORK: where the runs and report.json go (default: a new temporary folder)
#
# Environment: VENV (default /work/venv-hf; created when it lacks the packages: the CPU torch wheel from
# /opt/wheels with --no-deps, then transformers, peft, sentence-transformers, onnxruntime from the package index),
# STEPS (optimizer steps per fine-tune, default 60), BASES (default "minilm", add bge-small when its jar is in the
# local Maven repository: it is then exported, fine-tuned with --method balora and checked too).
# BALORA_COMMIT names the code in report.json when the tree is not a git checkout.
# Needs Python packages, so it is not part of CI (.ci/run); docs/interop.md records its last run.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VENV:-/work/venv-hf}"
steps="${STEPS:-60}"
bases="${BASES:-minilm}"
work="${1:-$(mktemp -d /tmp/balora-hf-interop.XXXXXX)}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

if ! "$venv/bin/python" -c "import transformers, peft, sentence_transformers, onnxruntime" 2>/dev/null; then
  wheel="${TORCH_WHEEL:-$(ls /opt/wheels/torch-*+cpu-*.whl 2>/dev/null | head -n1)}"
  [[ -n "$wheel" ]] || { echo "no CPU torch wheel in /opt/wheels; set TORCH_WHEEL" >&2; exit 2; }
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --no-deps "$wheel"
  "$venv/bin/pip" install -q transformers peft sentence-transformers onnxruntime
fi

data="$repo/data/food-reviews"
# 400 training reviews; the first 100 test reviews are the evaluation set every output is compared on.
head -n 401 "$data/food-reviews-train.tsv" > "$work/train.tsv"
head -n 101 "$data/food-reviews-test.tsv" > "$work/eval.tsv"

balora() { echo "+ balora $*" >&2; nice -n 5 "$repo/balora" "$@"; }
for base in $bases; do
  balora export --base "$base" --out "$work/base-$base"
  if [[ "$base" == minilm ]]; then methods="lora balora"; else methods="balora"; fi
  for method in $methods; do
    run="$work/$base-$method"
    rm -rf "$run"
    balora finetune --model "$base" --method "$method" --train "$work/train.tsv" --eval "$work/eval.tsv" \
      --max-steps "$steps" --batch 8 --max-length 64 --lr 3e-3 --seed 7 --out "$run" | tail -n 4
    balora merge --adapter "$run/adapter" --model "$base" --out "$run/merged"
  done
done

"$venv/bin/python" "$repo/tools/check_hf_interop.py" --work "$work" --eval "$work/eval.tsv" 2>"$work/python-stderr.log"
