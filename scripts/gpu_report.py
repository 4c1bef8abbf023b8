#!/usr/bin/env python3
"""Summary tables of scripts/gpu-check.sh: kernels (balora vs PyTorch, FP32/TF32), end-to-end step (balora vs
PyTorch + PEFT, examples/s and ratios), CPU-vs-CUDA loss parity, and the finetune run. Standard library only.

Usage: gpu_report.py RESULTS.jsonl PARITY.jsonl KERNELS.tsv FINETUNE_METRICS.jsonl [PROFILE.jsonl REPEAT.jsonl]
(missing files are skipped)
"""
import json
import os
import statistics
import sys


def jsonl(path):
    if not path or not os.path.exists(path):
        return []
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    return out


def kernels(results, tsv):
    names = {"gemm": "gemm NN", "gemm transB": "gemm NT", "batched q·kT": "batched QK^T", "lora fwd": "lora fwd",
             "lora bwd": "lora bwd"}
    bal = {}
    if os.path.exists(tsv):
        for line in open(tsv):
            f = line.rstrip("\n").split("\t")
            if len(f) == 4 and f[3].endswith("TFLOP/s"):
                name, mode = f[0].rsplit(" ", 1)
                bal[(names.get(name, name), f[1], mode == "tf32")] = float(f[3].split()[0])
    tor = {(r["case"], r["shape"], r["tf32"]): r["tflops"] for r in results if r.get("kind") == "kernel"}
    keys = []
    for (case, shape, _tf) in list(bal) + list(tor):
        if (case, shape) not in keys:
            keys.append((case, shape))
    if not keys:
        return
    print("### Kernels (TFLOP/s, same shapes and FLOP counts)\n")
    print("| case | shape | balora FP32 | PyTorch FP32 | ratio | balora TF32 | PyTorch TF32 | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for case, shape in keys:
        cells = []
        for tf in (False, True):
            b, t = bal.get((case, shape, tf)), tor.get((case, shape, tf))
            cells += [fmt(b, 1), fmt(t, 1), ratio(b, t)]
        print(f"| {case} | {shape} | " + " | ".join(cells) + " |")
    print()


def steps(results):
    rows = [r for r in results if "examples_per_s" in r]
    if not rows:
        return
    print("### End-to-end training step (batch 32 x 128, r 8 on 36 layers; examples/s, higher is better)\n")
    print("| method | dropout | math | balora ex/s | PyTorch + PEFT ex/s | balora / PyTorch | balora step ms | "
          "balora launches/step | balora device memory | PyTorch peak allocated / reserved |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    groups = {}
    for r in rows:
        key = (r.get("method"), r.get("teacher_cache", True) if r.get("method") == "balora" else None,
               float(r.get("dropout", 0)), bool(r.get("tf32", False)), r.get("steps"))
        groups.setdefault(key, {}).setdefault(r["side"], []).append(r)
    lora_ms = {}
    for key, sides in groups.items():
        method, cache, drop, tf32, _ = key
        b = sides.get("balora", [])
        t = sides.get("torch", [])
        bx = statistics.median([r["examples_per_s"] for r in b]) if b else None
        tx = statistics.median([r["examples_per_s"] for r in t]) if t else None
        bms = statistics.median([r.get("median_step_ms", 0) for r in b]) if b else None
        if method == "lora" and not tf32:
            lora_ms[drop] = bms
        label = method + ("" if cache is None else f" (cache {'on' if cache else 'off'})")
        mem = ""
        if b and b[0].get("allocator_peak"):
            f = b[0]["allocator_peak"].split()
            mem = f"{int(f[0]) / 2**20:.0f} MiB peak in use, {int(f[4]) / 2**20:.0f} MiB held"
        peak = (f"{t[0]['peak_allocated_bytes'] / 2**20:.0f} / {t[0]['peak_reserved_bytes'] / 2**20:.0f} MiB"
                if t and t[0].get("peak_reserved_bytes", -1) > 0 else "")
        lps = f"{b[0]['launches_per_step']:.0f}" if b and "launches_per_step" in b[0] else ""
        print(f"| {label} | {drop} | {'TF32' if tf32 else 'FP32'} | {fmt(bx, 0)} | {fmt(tx, 0)} | {ratio(bx, tx)} | "
              f"{fmt(bms, 1)} | {lps} | {mem} | {peak} |")
    for key, sides in groups.items():
        method, cache, drop, tf32, _ = key
        if method == "balora" and not tf32 and sides.get("balora") and lora_ms.get(drop):
            ms = statistics.median([r["median_step_ms"] for r in sides["balora"]])
            print(f"\nBA-LoRA (cache {'on' if cache else 'off'}) step / LoRA step, dropout {drop}: "
                  f"{ms / lora_ms[drop]:.2f}x")
    print()


def parity(rows):
    if not rows:
        return
    print("### Loss curves, CPU backend vs CUDA (same start, 20 steps)\n")
    print("| dropout | steps | max abs loss difference | max relative | first loss cpu / cuda |")
    print("|---|---|---|---|---|")
    by = {}
    for r in rows:
        by.setdefault(float(r["dropout"]), {})[r["backend"]] = r["loss"]
    for d, sides in sorted(by.items()):
        if "cpu" in sides and "cuda" in sides:
            a, b = sides["cpu"], sides["cuda"]
            n = min(len(a), len(b))
            diff = max(abs(a[i] - b[i]) for i in range(n))
            rel = max(abs(a[i] - b[i]) / max(abs(a[i]), 1e-12) for i in range(n))
            print(f"| {d} | {n} | {diff:.2e} | {rel:.2e} | {a[0]:.6f} / {b[0]:.6f} |")
    print()


def profile(rows):
    rows = [r for r in rows if r.get("kernel_profile_ms_per_step")]
    if not rows:
        return
    r = rows[-1]
    kp = r["kernel_profile_ms_per_step"]
    total = sum(k["ms"] for k in kp)
    print(f"### Device time per step by kernel ({r['method']}, dropout {r['dropout']}; CUDA events, profile run)\n")
    print(f"Sum of kernel times {total:.2f} ms per step against a timed step of the unprofiled runs above "
          "(the rest is the host issuing work, or waiting).\n")
    print("| kernel | ms/step | calls/step | share |")
    print("|---|---|---|---|")
    for k in kp[:15]:
        print(f"| {k['kernel']} | {k['ms']:.3f} | {k['calls']:.0f} | {100 * k['ms'] / max(total, 1e-12):.0f}% |")
    print()


def repeat(parity_rows, repeat_rows):
    a = [r for r in parity_rows if r.get("backend") == "cuda" and float(r.get("dropout", 1)) == 0.0]
    b = [r for r in repeat_rows if r.get("backend") == "cuda"]
    if a and b:
        x, y = a[0]["loss"], b[0]["loss"]
        n = min(len(x), len(y))
        diff = max(abs(x[i] - y[i]) for i in range(n))
        print(f"Two CUDA runs, dropout off, {n} steps: max abs loss difference {diff:.2e}"
              + (" (bit-identical)" if diff == 0 else " (not bit-identical: atomic reductions)") + "\n")


def finetune(path):
    m = jsonl(path)
    st = [r for r in m if r.get("type", "step") == "step" and "loss" in r]
    ev = [r for r in m if r.get("type") == "eval" or "accuracy" in r]
    if not st:
        return
    eps = [r.get("examples_per_second", r.get("examplesPerSecond", 0)) for r in st[5:]] or [0]
    print("### balora finetune --device cuda (real CLI run)\n")
    print(f"steps {len(st)}, first loss {st[0]['loss']:.4f}, last loss {st[-1]['loss']:.4f}, "
          f"median examples/s after step 5: {statistics.median(eps):.0f}" + (f", final eval {ev[-1]}" if ev else ""))
    print()


def fmt(v, digits):
    return "" if v is None else f"{v:.{digits}f}"


def ratio(a, b):
    return "" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def main():
    args = sys.argv[1:] + [""] * 6
    results = jsonl(args[0])
    kernels(results, args[2])
    steps(results)
    parity(jsonl(args[1]))
    repeat(jsonl(args[1]), jsonl(args[5]))
    profile(jsonl(args[4]))
    finetune(args[3])


if __name__ == "__main__":
    main()
