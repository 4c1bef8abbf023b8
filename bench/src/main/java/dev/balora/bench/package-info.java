/**
 * JMH benchmarks of the CPU kernels with their peers in the same run (OpenBLAS through JavaCPP, a scalar
 * loop). Run with {@code scripts/bench.sh} (see {@code docs/benchmarks.md}); never part of {@code mvn verify}.
 */
package dev.balora.bench;
