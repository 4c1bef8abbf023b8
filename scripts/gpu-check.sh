#!/usr/bin/env bash
# One command for a Linux machine with an NVIDIA GPU (driver for CUDA 13) and the CUDA 13 libraries (cudart,
# cuBLAS, cuSOLVER): runs the kernels-cuda parity suite against the reference backend, a GEMM / LoRA benchmark
# in FP32 and TF32, and prints a short table last. Well under 8 minutes on an H100/H200 (most of it JVM start-up
# and PTX JIT); a 7-minute timeout guards each JVM.
#
# Works in two places:
#   - a bundle made by scripts/gpu-bundle.sh (runtime/ and lib/ next to this script): no Maven, no network;
#   - the repository: builds kernels-cuda with Maven first (needs Maven and a JDK >= 21).
# If libcublas.so.13 is not on the library path, CUDA libraries from pip wheels (nvidia-*-cu13, or the cu12-style
# nvidia/*/lib layout) in the site-packages of python3 are added to LD_LIBRARY_PATH.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
results="${BALORA_GPU_RESULTS:-$PWD/gpu-check-results.tsv}"
rm -f "$results"

if [[ -d "$here/runtime" && -d "$here/lib" ]]; then
  java="$here/runtime/bin/java"
  cp="$here/lib/*"
else
  root="$(cd "$here/.." && pwd)"
  echo "== building kernels-cuda (Maven)"
  (cd "$root" && mvn -q -ntp -pl kernels-cuda -am test-compile dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile=target/gpu-classpath.txt)
  cp="$root/kernels-cuda/target/classes:$root/kernels-cuda/target/test-classes:$root/core/target/classes:$(cat "$root/kernels-cuda/target/gpu-classpath.txt")"
  java="${BALORA_JAVA:-$(ls -d /usr/lib/jvm/*25*/bin/java /usr/lib/jvm/*21*/bin/java 2>/dev/null | head -1)}"
  java="${java:-java}"
fi

# ---- CUDA libraries: system first, then pip wheels --------------------------------------------------------------
add_lib_dir() { [[ -d "$1" ]] && export LD_LIBRARY_PATH="$1${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; return 0; }
add_lib_dir /usr/local/nvidia/lib64          # driver libcuda.so.1 in NVIDIA containers
if ! ldconfig -p 2>/dev/null | grep -q 'libcublas\.so\.13' && ! compgen -G "${CUDA_HOME:-/usr/local/cuda}/lib64/libcublas.so.13" >/dev/null; then
  if command -v python3 >/dev/null; then
    while IFS= read -r sp; do
      for d in "$sp"/nvidia/cu13/lib "$sp"/nvidia/*/lib; do
        compgen -G "$d/*.so*" >/dev/null && add_lib_dir "$d"
      done
    done < <(python3 -c 'import site,sys; print("\n".join(site.getsitepackages()+[site.getusersitepackages()]+sys.path))' 2>/dev/null | sort -u)
  fi
else
  add_lib_dir "${CUDA_HOME:-/usr/local/cuda}/lib64"
fi
echo "== LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true

flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx8g)
status=0
echo "== parity suite + FP32 benchmark"
timeout 420 "$java" "${flags[@]}" -cp "$cp" dev.balora.kernels.cuda.GpuCheck "$results" || status=$?
if [[ $status -ne 2 ]]; then
  echo "== TF32 benchmark"
  timeout 240 "$java" "${flags[@]}" -Dbalora.cuda.tf32=true -cp "$cp" dev.balora.kernels.cuda.GpuCheck "$results" --bench-only || true
fi

echo
echo "== balora gpu-check summary (exit $status)"
if command -v column >/dev/null; then column -t -s $'\t' "$results"; else cat "$results"; fi
exit $status
