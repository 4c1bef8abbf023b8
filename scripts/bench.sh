#!/usr/bin/env bash
# Runs balora's JMH suite with its peers (OpenBLAS, scalar loop) in forked JVMs that get the root pom's
# ${balora.jvm.flags}. Results: bench/target/jmh-result.json (or jmh-quick.json with --quick).
#
#   scripts/bench.sh                 full suite (forks 2; about 25 minutes on 2 cores)
#   scripts/bench.sh --quick         short suite, headline shapes, cpu backend, NLU terms + kl (under 5 minutes)
#   scripts/bench.sh [--quick] REGEX only the benchmarks whose name matches REGEX (e.g. 'GemmBench')
#   scripts/bench.sh --interleaved  balora and OpenBLAS alternated call by call (noisy shared hosts)
#   BENCH_ARGS='-f 1 -i 3' scripts/bench.sh   replace the JMH options
set -euo pipefail
cd "$(dirname "$0")/.."
profiles=bench
# The host kind goes beside every table: kernel speed ratios differ between CPU generations (Zen 4 / Zen 5 ...).
echo "host: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | xargs), family $(grep -m1 'cpu family' \
  /proc/cpuinfo 2>/dev/null | cut -d: -f2 | xargs) model $(grep -m1 '^model\s' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | xargs),\
 $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)" >&2
# Quick mode runs the regularizer and AdamW benchmarks on the cpu backend only: their scalar-reference peers take
# seconds to minutes per call at the NLG size (RegularizerBench Javadoc).
extra=""
if [[ "${1:-}" == "--quick" ]]; then
  profiles=bench,quick
  extra="-p backend=cpu"
  shift
elif [[ "${1:-}" == "--interleaved" ]]; then
  exec mvn -q -ntp -pl bench -am -Pinterleaved package -DskipTests
fi
args=(-q -ntp -pl bench -am "-P${profiles}" package -DskipTests)
if [[ -n "${1:-}${extra}" ]]; then
  # bench.include is appended to the JMH command line as is: the regex, then any extra JMH options.
  args+=("-Dbench.include=${1:-} ${extra}")
fi
if [[ -n "${BENCH_ARGS:-}" ]]; then
  args+=("-Dbench.args=${BENCH_ARGS}")
fi
exec mvn "${args[@]}"
