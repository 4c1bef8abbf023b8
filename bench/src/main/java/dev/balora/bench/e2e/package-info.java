/**
 * The end-to-end training-step benchmark (issue 6, "Speed and memory"): MiniLM-L6 with rank-8 adapters on all six
 * BERT targets, one fixed-length batch of food reviews per step, timed as forward + backward + AdamW, with the peak
 * resident memory of a fresh JVM per configuration. {@link dev.balora.bench.e2e.StepBench} runs one configuration,
 * {@link dev.balora.bench.e2e.PeerExport} writes the weights and batches the PyTorch peer
 * ({@code bench/peers/torch_step.py}) trains on, {@link dev.balora.bench.e2e.ResultTable} prints the comparison and
 * {@link dev.balora.bench.e2e.JfrOpProfile} says where balora's step time goes. {@code scripts/bench-e2e.sh} drives
 * them all; a plain {@code mvn verify} runs none of them.
 */
package dev.balora.bench.e2e;
