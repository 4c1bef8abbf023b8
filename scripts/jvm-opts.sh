# Sourced (not run) by ./balora: the JVM options the launcher adds by default, computed from the command line.
#
#   balora_jvm_opts FEATURE CLI_DIR ARGS...   fills the array BALORA_DEFAULT_OPTS
#
# 1. Heap. For the training commands (finetune, demo) on the CPU, -Xmx is set to what the run needs: the model's
#    weights plus the activations one micro-batch keeps for backward (batch x max-length tokens x layers x the bytes
#    one token-layer keeps, measured; see docs/benchmarks.md, "Memory"), with headroom. Without it the JVM may grow
#    its heap towards a quarter of the RAM before collecting (4-6 GiB here for a job whose live set is ~1-2 GiB). A
#    heap the user chose (-Xmx, -XX:MaxHeapSize, -XX:MaxRAM*, in BALORA_JAVA_OPTS, JAVA_TOOL_OPTIONS or
#    JDK_JAVA_OPTIONS) is left alone, as is every other command. BALORA_HEAP=off turns the computation off;
#    BALORA_HEAP=1.5 scales the estimate.
# 2. Ahead-of-time cache (JDK >= 25 only; JDK 21-24 get nothing). When CLI_DIR/balora.aot exists it is passed as
#    -XX:AOTCache, so classes come pre-loaded and linked and C2 starts from the method profiles of the run that made
#    the cache (JEP 483/515). The launcher makes the cache after a build, or when a jar is newer than the cache
#    (balora_make_aot_cache; a failed attempt is not repeated before the next build). BALORA_AOT=off turns it off.

# Bytes one token keeps per encoder layer in a training step, per unit of the hidden width h and of the intermediate
# width i (and per head x max-length, 0 since attention is fused and keeps no [T, T] rows): the heap after young GCs of
# StepBench (MiniLM, dropout 0.1) grew by 477 MiB from 16 x 128 to 32 x 128 tokens, 40.7 KB per token-layer; 60 h + 12 i
# is 41.5 KB. See docs/benchmarks.md ("Memory").
BALORA_BYTES_PER_H=${BALORA_BYTES_PER_H:-60}
BALORA_BYTES_PER_I=${BALORA_BYTES_PER_I:-12}
BALORA_BYTES_PER_HT=${BALORA_BYTES_PER_HT:-0}

balora_user_heap() { # true when the user already chose a heap size
  local o
  for o in ${BALORA_JAVA_OPTS:-} ${JAVA_TOOL_OPTIONS:-} ${JDK_JAVA_OPTIONS:-}; do
    case "$o" in -Xmx*|-XX:MaxHeapSize=*|-XX:MaxRAM=*|-XX:MaxRAMPercentage=*|-XX:MaxRAMFraction=*) return 0 ;; esac
  done
  return 1
}

# balora_model_shape MODEL: prints "layers hidden intermediate heads params_millions", or nothing when unknown.
balora_model_shape() {
  case "$1" in
    minilm|all-minilm-l6-v2) echo "6 384 1536 12 23" ;;
    bge-small|bge-small-en-v1.5) echo "12 384 1536 12 34" ;;
    *)
      local cfg="$1/config.json" l h i a v
      [[ -f "$cfg" ]] || return 0
      l=$(sed -n 's/.*"num_hidden_layers"[^0-9]*\([0-9]*\).*/\1/p' "$cfg" | head -n1)
      h=$(sed -n 's/.*"hidden_size"[^0-9]*\([0-9]*\).*/\1/p' "$cfg" | head -n1)
      i=$(sed -n 's/.*"intermediate_size"[^0-9]*\([0-9]*\).*/\1/p' "$cfg" | head -n1)
      a=$(sed -n 's/.*"num_attention_heads"[^0-9]*\([0-9]*\).*/\1/p' "$cfg" | head -n1)
      v=$(sed -n 's/.*"vocab_size"[^0-9]*\([0-9]*\).*/\1/p' "$cfg" | head -n1)
      [[ -n "$l" && -n "$h" && -n "$i" && -n "$a" ]] || return 0
      # parameters ~ vocab x h + layers x (4 h^2 + 2 h i), in millions
      echo "$l $h $i $a $(( ((${v:-30522} * h) + l * (4 * h * h + 2 * h * i)) / 1000000 + 1 ))" ;;
  esac
}

# balora_heap_mib ARGS...: the heap (MiB) a finetune/demo command line needs, or nothing when it cannot tell.
balora_heap_mib() {
  local cmd="" model=minilm batch=16 len=128 device=auto a prev=""
  for a in "$@"; do
    case "$prev" in
      --model) model="$a" ;; --batch) batch="$a" ;; --max-length) len="$a" ;; --device) device="$a" ;;
    esac
    case "$a" in
      --model=*) model="${a#*=}" ;; --batch=*) batch="${a#*=}" ;; --max-length=*) len="${a#*=}" ;;
      --device=*) device="${a#*=}" ;; --task=lm) return 0 ;;
      -*) ;;
      *) [[ -z "$cmd" && "$prev" != --* ]] && cmd="$a" ;;
    esac
    [[ "$prev" == --task && "$a" == lm ]] && return 0
    prev="$a"
  done
  case "$cmd" in
    finetune) ;;
    demo) [[ " $* " == *" --max-length "* || " $* " == *" --max-length="* ]] || len=64 ;;
    *) return 0 ;;
  esac
  [[ "$device" == auto || "$device" == cpu ]] || return 0
  [[ "$batch" =~ ^[0-9]+$ && "$len" =~ ^[0-9]+$ && "$batch" -gt 0 && "$len" -gt 0 ]] || return 0
  local shape layers hidden inter heads params per_token live heap
  shape="$(balora_model_shape "$model")"
  [[ -n "$shape" ]] || return 0
  read -r layers hidden inter heads params <<<"$shape"
  per_token=$(( BALORA_BYTES_PER_H * hidden + BALORA_BYTES_PER_I * inter + BALORA_BYTES_PER_HT * heads * len ))
  # activations + weights (float32 model, its float64 copies at PiSSA set-up, gradients and optimizer state are small)
  live=$(( batch * len * layers * per_token / 1048576 + params * 4 * 3 ))
  heap=$(( live * 5 / 4 + 256 ))
  if [[ -n "${BALORA_HEAP:-}" && "${BALORA_HEAP}" =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
    heap=$(awk -v h="$heap" -v f="$BALORA_HEAP" 'BEGIN { printf "%d", h * f }')
  fi
  # Never above 3/4 of physical memory (then the estimate is no help and the JVM's default is as good).
  local ram
  ram=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 }' /proc/meminfo 2>/dev/null || echo 0)
  if [[ "$ram" -gt 0 && "$heap" -gt $(( ram * 3 / 4 )) ]]; then
    return 0
  fi
  echo $(( (heap + 63) / 64 * 64 ))
}

balora_jvm_opts() {
  local feature="$1" cli_dir="$2"
  shift 2
  BALORA_DEFAULT_OPTS=()
  if [[ "${BALORA_HEAP:-}" != off ]] && ! balora_user_heap; then
    local mib
    mib="$(balora_heap_mib "$@")"
    [[ -n "$mib" ]] && BALORA_DEFAULT_OPTS+=("-Xmx${mib}m")
  fi
  if [[ "${BALORA_AOT:-}" != off && "$feature" -ge 25 && -f "$cli_dir/balora.aot" ]]; then
    # auto: a cache that does not fit this JVM or class path is ignored, never an error.
    BALORA_DEFAULT_OPTS+=("-XX:AOTMode=auto" "-XX:AOTCache=$cli_dir/balora.aot" "-Xlog:aot=off" "-Xlog:cds=off")
  fi
}

# balora_make_aot_cache JAVA FEATURE CLI_DIR ROOT: the training run that writes CLI_DIR/balora.aot (JDK >= 25): a
# 4-step LoRA fine-tune on 64 shipped food reviews, so the cache holds the classes and method profiles of training
# and evaluation. Failure only means no cache.
balora_make_aot_cache() {
  local java="$1" feature="$2" cli_dir="$3" root="$4" tmp
  [[ "${BALORA_AOT:-}" != off && "$feature" -ge 25 ]] || return 0
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/balora-aot.XXXXXX")" || return 0
  echo "balora: making the ahead-of-time cache (one short training run, once per build)..." >&2
  if "$java" @"$cli_dir/jvm.args" -XX:AOTCacheOutput="$tmp/balora.aot" -Xlog:aot=off -Xlog:cds=off \
       -cp "$cli_dir/$(cd "$cli_dir" && ls balora-cli-*.jar | head -n1):$cli_dir/lib/*" dev.balora.cli.Main finetune \
       --train "$root/data/food-reviews/food-reviews-train.tsv" --eval "$root/data/food-reviews/food-reviews-test.tsv" \
       --method lora --max-train 64 --max-eval 16 --max-steps 4 --out "$tmp/run" >/dev/null 2>&1 \
     && [[ -s "$tmp/balora.aot" ]]; then
    mv -f "$tmp/balora.aot" "$cli_dir/balora.aot"
  else
    echo "balora: no ahead-of-time cache (the training run failed); running without one" >&2
  fi
  rm -rf "$tmp"
}
