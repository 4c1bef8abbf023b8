#!/usr/bin/env bash
# Builds a self-contained folder for GPU machines without Maven or network access:
#   runtime/   a jlink'ed Java runtime (java.base, jdk.incubator.vector and what JUnit/JavaCPP/Jackson need)
#   lib/       balora-core, balora-kernels-cuda (+ its tests), JavaCPP + CUDA preset jars (no redist), JUnit
#   gpu-check.sh
# Usage: scripts/gpu-bundle.sh [OUT_DIR]   (default target/gpu-bundle; also writes OUT_DIR.tar.gz)
# Copy it over, then run OUT_DIR/gpu-check.sh there. CUDA itself (driver, cudart, cuBLAS, cuSOLVER 13) comes from
# the target machine or its pip nvidia-*-cu13 wheels; gpu-check.sh finds the latter.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/target/gpu-bundle}"
jdk="${BALORA_JDK:-$(dirname "$(dirname "$(ls -d /usr/lib/jvm/*25*/bin/jlink /usr/lib/jvm/*21*/bin/jlink 2>/dev/null | head -1)")")}"
[[ -x "$jdk/bin/jlink" ]] || { echo "gpu-bundle: no JDK >= 21 with jlink found; set BALORA_JDK" >&2; exit 1; }

cd "$root"
mvn -q -ntp -pl kernels-cuda -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/gpu-classpath.txt
rm -rf "$out" "$out.tar.gz"
mkdir -p "$out/lib"
"$jdk/bin/jar" --create --file "$out/lib/balora-core.jar" -C core/target/classes .
"$jdk/bin/jar" --create --file "$out/lib/balora-kernels-cuda.jar" -C kernels-cuda/target/classes .
"$jdk/bin/jar" --create --file "$out/lib/balora-kernels-cuda-tests.jar" -C kernels-cuda/target/test-classes .
tr ':' '\n' < kernels-cuda/target/gpu-classpath.txt | while IFS= read -r entry; do
  if [[ "$entry" == *.jar ]]; then
    cp "$entry" "$out/lib/"
  fi
done
# java.logging: JUnit; jdk.unsupported: JavaCPP (Unsafe). Nothing in the GPU check loads Jackson, so no java.sql.
"$jdk/bin/jlink" --add-modules java.base,java.logging,jdk.unsupported,jdk.incubator.vector \
    --strip-debug --no-header-files --no-man-pages --compress zip-9 --output "$out/runtime"
cp scripts/gpu-check.sh "$out/"
tar -C "$(dirname "$out")" -czf "$out.tar.gz" "$(basename "$out")"
echo "gpu-bundle: $out ($(du -sh "$out" | cut -f1); runtime $(du -sh "$out/runtime" | cut -f1), lib $(du -sh "$out/lib" | cut -f1)); archive $(du -h "$out.tar.gz" | cut -f1)"
