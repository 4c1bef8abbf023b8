#!/usr/bin/env python3
"""PyTorch + PEFT peer of balora's device training step (dev.balora.bench.gpu.DeviceStepBench), and the same
GEMM / LoRA kernel shapes as balora's GpuBenchmark, on one GPU.

The step: transformers' BertModel (no pooler; SDPA attention) loaded from a Hugging Face folder, mean pooling over
the attention mask, a Linear head over 2 classes trained fully, PEFT LoRA r=8, alpha=8, lora_dropout=0 on query, key,
value and the three dense layers (36 adapted layers), cross-entropy, clip_grad_norm_(1.0), AdamW(lr 5e-4,
weight_decay 0, fused=True: PyTorch's fastest optimizer path), zero_grad(set_to_none=True); HF dropout p in the BERT
config, model.train(). The batches are the ones balora exported (DeviceStepBench export-batches=FILE: fixed
[N, T]), cycled in the same order. No per-step .item() (the fastest loop: like HF Trainer, nothing waits for the GPU
inside the timed steps); the timed region is bracketed by torch.cuda.synchronize(), so steps/s is exact.

Usage:
  torch_gpu_step.py step --model DIR --batches FILE --dropout 0.1 [--tf32] [--warmup 6] [--steps 20] [--out F]
  torch_gpu_step.py kernels [--tf32] [--out F]
Output: JSON lines (side "torch"), appended to --out and printed.
"""
import argparse
import json
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def read_batches(path, device):
    with open(path, "rb") as f:
        count, n, t = struct.unpack("<3i", f.read(12))
        out = []
        for _ in range(count):
            ids = torch.frombuffer(bytearray(f.read(4 * n * t)), dtype=torch.int32).reshape(n, t)
            mask = torch.frombuffer(bytearray(f.read(4 * n * t)), dtype=torch.int32).reshape(n, t)
            labels = torch.frombuffer(bytearray(f.read(4 * n)), dtype=torch.int32)
            out.append((ids.long().to(device), mask.long().to(device), labels.long().to(device)))
    return out, n, t


class Classifier(nn.Module):
    def __init__(self, bert, classes):
        super().__init__()
        self.bert = bert
        self.classifier = nn.Linear(bert.config.hidden_size, classes)

    def forward(self, ids, mask):
        h = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).to(h.dtype)
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return self.classifier(pooled)


def step_bench(a):
    from transformers import BertConfig, BertModel
    from peft import LoraConfig, get_peft_model

    dev = torch.device(a.device)
    cuda = dev.type == "cuda"
    torch.backends.cuda.matmul.allow_tf32 = a.tf32
    torch.backends.cudnn.allow_tf32 = a.tf32
    torch.manual_seed(42)
    cfg = BertConfig.from_pretrained(a.model)
    cfg.hidden_dropout_prob = a.dropout
    cfg.attention_probs_dropout_prob = a.dropout
    bert = BertModel.from_pretrained(a.model, config=cfg, add_pooling_layer=False, attn_implementation="sdpa")
    model = Classifier(bert, 2)
    lcfg = LoraConfig(r=8, lora_alpha=8, lora_dropout=0.0, target_modules=["query", "key", "value", "dense"],
                      modules_to_save=["classifier"])
    model = get_peft_model(model, lcfg).to(dev)
    adapted = sum(1 for n, _ in model.named_modules() if n.endswith(".lora_A"))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=5e-4, weight_decay=0.0, fused=cuda)
    batches, n, t = read_batches(a.batches, dev)
    model.train()
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    if cuda:
        torch.cuda.reset_peak_memory_stats()

    def one(i):
        ids, mask, labels = batches[i % len(batches)]
        logits = model(ids, mask)
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss

    t0 = time.perf_counter()
    first = one(0).item()
    sync()
    first_ms = (time.perf_counter() - t0) * 1e3
    for i in range(1, a.warmup):
        one(i)
    sync()
    t1 = time.perf_counter()
    for i in range(a.warmup, a.warmup + a.steps):
        loss = one(i)
    sync()
    total = time.perf_counter() - t1
    mean_ms = total * 1e3 / a.steps
    r = {"side": "torch", "device": torch.cuda.get_device_name(0) if cuda else "cpu", "method": "lora", "dropout": a.dropout,
         "tf32": a.tf32, "batch": n, "seq": t, "warmup": a.warmup, "steps": a.steps, "adapters": adapted,
         "trainable_params": sum(p.numel() for p in params), "first_step_ms": first_ms, "mean_step_ms": mean_ms,
         "examples_per_s": n * 1000.0 / mean_ms, "first_loss": first, "last_loss": loss.item(),
         "peak_allocated_bytes": torch.cuda.max_memory_allocated() if cuda else -1,
         "peak_reserved_bytes": torch.cuda.max_memory_reserved() if cuda else -1,
         "torch": torch.__version__}
    emit(r, a.out)


def timed(fn, iters=20, warm=3):
    for _ in range(warm):
        fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(iters):
        fn()
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) / iters


def kernel_bench(a):
    """The shapes of balora's GpuBenchmark, same FLOP counts, in FP32 (or TF32 with --tf32)."""
    torch.backends.cuda.matmul.allow_tf32 = a.tf32
    dev = torch.device("cuda")
    g = torch.Generator(device=dev).manual_seed(1)
    rows = []

    def rnd(*s):
        return torch.randn(*s, device=dev, generator=g)

    a_, b_ = rnd(4096, 4096), rnd(4096, 4096)
    ms = timed(lambda: a_ @ b_)
    rows.append(("gemm NN", "4096x4096x4096", ms, 2 * 4096 ** 3 / ms / 1e9))
    ms = timed(lambda: a_ @ b_.T)
    rows.append(("gemm NT", "4096x4096x4096", ms, 2 * 4096 ** 3 / ms / 1e9))
    q, k = rnd(384, 256, 64), rnd(384, 256, 64)
    ms = timed(lambda: torch.bmm(q, k.transpose(1, 2)))
    rows.append(("batched QK^T", "384x256x256x64", ms, 2 * 384 * 256 * 256 * 64 / ms / 1e9))
    for d in (768, 4096):
        t, r = 8192, 16
        x, w, A, B = rnd(t, d), rnd(d, d), rnd(r, d), rnd(d, r)
        x.requires_grad_(True)
        A.requires_grad_(True)
        B.requires_grad_(True)
        fwd = lambda: x @ w.T + (x @ A.T) @ B.T
        flops_f = 2 * t * d * d + 2 * t * d * r + 2 * t * r * d
        ms = timed(fwd)
        rows.append(("lora fwd", f"T{t} {d}->{d} r{r}", ms, flops_f / ms / 1e9))
        y = fwd()
        dy = torch.randn_like(y)
        bwd = lambda: torch.autograd.grad(y, (x, A, B), dy, retain_graph=True)
        flops_b = 2 * t * d * d + 3 * (2 * t * d * r) + 2 * t * r * d
        ms = timed(bwd)
        rows.append(("lora bwd", f"T{t} {d}->{d} r{r}", ms, flops_b / ms / 1e9))
    for name, shape, ms, tf in rows:
        emit({"side": "torch", "kind": "kernel", "case": name, "shape": shape, "tf32": a.tf32, "ms": ms,
              "tflops": tf}, a.out)


def emit(r, out):
    line = json.dumps(r)
    print("RESULT " + line, flush=True)
    if out:
        with open(out, "a") as f:
            f.write(line + "\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["step", "kernels"])
    p.add_argument("--model")
    p.add_argument("--batches")
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--tf32", action="store_true")
    p.add_argument("--warmup", type=int, default=6)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--out")
    p.add_argument("--device", default="cuda", help="cuda (the benchmark) or cpu (a smoke test of this script)")
    a = p.parse_args()
    if a.device == "cuda" and not torch.cuda.is_available():
        print("torch_gpu_step: no CUDA device", file=sys.stderr)
        sys.exit(2)
    step_bench(a) if a.what == "step" else kernel_bench(a)


if __name__ == "__main__":
    main()
