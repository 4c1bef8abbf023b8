# Sourced (not run) by ./balora and gpu-check.sh: puts the CUDA 13 libraries that balora's GPU backend loads
# (driver libcuda.so.1, libcudart.so.13, libcublas.so.13, libcublasLt.so.13, libcusolver.so.12) on LD_LIBRARY_PATH.
# Looks, in order, at: the system loader cache, NVIDIA container driver folders, $CUDA_HOME or /usr/local/cuda, and the
# nvidia-*-cu13 / nvidia/cu13 wheels in python3's site-packages (how PyTorch ships CUDA). On a machine without an
# NVIDIA driver it does nothing and costs nothing (no python3 call). BALORA_CUDA_ENV_VERBOSE=1 prints what it added.
balora_cuda_env() {
  local d sp added=()
  add() { if [[ -d "$1" && ":${LD_LIBRARY_PATH:-}:" != *":$1:"* ]]; then
            export LD_LIBRARY_PATH="$1${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; added+=("$1"); fi; }
  # No driver, no GPU: leave everything as it is.
  if [[ ! -e /dev/nvidiactl && ! -e /dev/nvidia0 && ! -d /usr/local/nvidia/lib64 ]] \
     && ! ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1'; then
    return 0
  fi
  for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
    compgen -G "$d/libcuda.so*" >/dev/null && add "$d"
  done
  has() { ldconfig -p 2>/dev/null | grep -q "$1" || { local p; IFS=: read -ra p <<<"${LD_LIBRARY_PATH:-}";
          for x in "${p[@]}"; do compgen -G "$x/$1*" >/dev/null && return 0; done; return 1; }; }
  if ! has libcublas.so.13; then
    for d in "${CUDA_HOME:-}/lib64" /usr/local/cuda/lib64 /usr/local/cuda-13*/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
      compgen -G "$d/libcublas.so.13*" >/dev/null && { add "$d"; break; }
    done
  fi
  if ! has libcublas.so.13 && command -v python3 >/dev/null 2>&1; then
    while IFS= read -r sp; do
      for d in "$sp"/nvidia/cu13/lib "$sp"/nvidia/*/lib; do
        compgen -G "$d/*.so*" >/dev/null && add "$d"
      done
    done < <(python3 -c 'import site,sys; print("\n".join(site.getsitepackages()+[site.getusersitepackages()]+sys.path))' 2>/dev/null | sort -u)
  fi
  if [[ -n "${BALORA_CUDA_ENV_VERBOSE:-}" ]]; then
    echo "balora: CUDA library folders added: ${added[*]:-(none needed)}" >&2
  fi
  unset -f add has
}
balora_cuda_env
