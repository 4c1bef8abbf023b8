#!/usr/bin/env bash
# Regenerates the committed PTX resources from the .cu sources, one file per source and architecture:
#   src/main/resources/dev/balora/kernels/cuda/ptx/sm_80/NAME.ptx and .../sm_90/NAME.ptx
# sm_80 PTX is JIT-compiled by the driver for any newer GPU (Ada, Blackwell…); sm_90 is the Hopper build.
# Needs nvcc (CUDA 12.x or 13.x); without it, says so and exits 0 so builds without CUDA keep working.
# Usage: kernels-cuda/src/main/cuda/build-ptx.sh    (or: mvn -ntp -pl kernels-cuda -am -Pcuda-ptx compile)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../resources/dev/balora/kernels/cuda/ptx"
nvcc="${NVCC:-$(command -v nvcc || true)}"
if [[ -z "$nvcc" && -x "${CUDA_HOME:-/usr/local/cuda}/bin/nvcc" ]]; then
  nvcc="${CUDA_HOME:-/usr/local/cuda}/bin/nvcc"
fi
if [[ -z "$nvcc" ]]; then
  echo "build-ptx: nvcc not found; keeping the committed PTX in $out" >&2
  exit 0
fi
for arch in 80 90; do
  mkdir -p "$out/sm_$arch"
  for cu in "$here"/*.cu; do
    name="$(basename "$cu" .cu)"
    # -lineinfo keeps source lines for Nsight; no fast-math: parity with the reference backend matters more.
    "$nvcc" -ptx -O3 -lineinfo -std=c++17 -arch=compute_$arch -code=compute_$arch \
      -o "$out/sm_$arch/$name.ptx" "$cu"
  done
done
echo "build-ptx: $("$nvcc" --version | tail -1) -> $out/sm_{80,90}/*.ptx"
