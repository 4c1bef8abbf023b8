/**
 * A model-agnostic training loop: a {@link dev.balora.core.train.TrainingTask} adapts a model and its data, a
 * {@link dev.balora.core.train.TrainerConfig} fixes every choice, and {@link dev.balora.core.train.Trainer} runs
 * AdamW with gradient accumulation, clipping and an HF-style {@link dev.balora.core.train.LrSchedule}, logging
 * {@code metrics.jsonl}, evaluating with {@link dev.balora.core.train.Metrics}, and writing atomic, resumable
 * checkpoints ({@link dev.balora.core.train.CheckpointStore}: the rename of {@code checkpoint.json} is the commit
 * point).
 */
package dev.balora.core.train;
