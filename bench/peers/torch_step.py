#!/usr/bin/env python3
"""PyTorch peer of balora's end-to-end training-step benchmark (dev.balora.bench.e2e.StepBench).

Builds the same MiniLM-L6 classifier with the same rank-8 adapters (PEFT's formula
y = x W_res^T + b + s * (x A^T) B^T on query, key, value, attention.output.dense, intermediate.dense,
output.dense; classifier head trained fully) from the safetensors file balora exported
(dev.balora.bench.e2e.PeerExport: parameters as initialised, the batches, and balora's first loss), then
times forward + backward + AdamW on the same fixed [N, T] batches with torch.set_num_threads(threads).

Dropout (--dropout, default 0.1 = what `balora finetune` trains with) sits where Hugging Face's BERT puts it: after
the embeddings' LayerNorm, on the attention probabilities, after each residual branch's dense layer and before the
classifier. Before timing, the script computes the loss on batch 0 with dropout off and checks that it equals
balora's first loss (exported with dropout off; |delta| < 1e-4), exiting with status 3 when it does not; with dropout
on the two sides draw different masks, so only the time is compared then.

Attention: --attention sdpa (default) calls F.scaled_dot_product_attention with dropout_p, as Hugging Face's BERT
does (its CPU flash kernel serves dropout 0; with dropout > 0 PyTorch takes its math path); --attention math spells
softmax(q k^T / sqrt(d) + mask) v out with F.dropout on the probabilities. AdamW: --adamw fused (default, PyTorch's
fused CPU kernel), foreach or loop. Output: one JSON line (side "torch"), appended to --out and printed.

Only the standard library and torch are used (no numpy): the file is read with struct + json.
"""
import argparse
import json
import math
import os
import struct
import sys
import time

import torch
import torch.nn.functional as F

LOSS_TOLERANCE = 1e-4
TARGETS = ("attention.self.query", "attention.self.key", "attention.self.value",
           "attention.output.dense", "intermediate.dense", "output.dense")


def read_safetensors(path):
    """Returns ({name: float32 tensor}, metadata) from a safetensors file of F32 tensors."""
    with open(path, "rb") as f:
        (header_len,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(header_len).decode("utf-8"))
        data = bytearray(f.read())
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name}: expected dtype F32, got {info['dtype']}")
        start, end = info["data_offsets"]
        count = (end - start) // 4
        t = torch.frombuffer(data, dtype=torch.float32, count=count, offset=start)
        tensors[name] = t.reshape(info["shape"]).clone()
    del data
    return tensors, meta


class Peer:
    """The classifier as plain tensors; forward() mirrors balora's BertForSequenceClassification."""

    def __init__(self, p, meta, dropout=0.0, attention="sdpa"):
        self.p = p
        self.dropout = dropout
        self.attention = attention
        self.training = True
        self.s = float(meta["scaling"])
        self.heads = int(meta["heads"])
        self.eps = float(meta["layer_norm_eps"])
        if meta.get("hidden_act", "gelu") != "gelu":
            raise ValueError(f"hidden_act {meta.get('hidden_act')}: only exact gelu is implemented")
        self.layers = 1 + max(int(k.split(".")[3]) for k in p if k.startswith("bert.encoder.layer."))
        self.trainable = [t for k, t in p.items() if ".lora_" in k or k.startswith("classifier.")]
        for t in p.values():
            t.requires_grad_(False)
        for t in self.trainable:
            t.requires_grad_(True)
        # The teacher's adapter is the initial one (W_res + s*B0*A0 = W), as balora's AdapterMode.INITIAL.
        self.initial = {k: t.detach().clone() for k, t in p.items() if ".lora_" in k}

    def lora_linear(self, x, name, initial):
        w = self.p[name + ".weight"]
        b = self.p[name + ".bias"]
        src = self.initial if initial else self.p
        a = src[name + ".lora_A.weight"]
        bb = src[name + ".lora_B.weight"]
        return F.linear(x, w, b) + self.s * F.linear(F.linear(x, a), bb)

    def drop(self, x):
        return F.dropout(x, self.dropout, training=True) if self.training and self.dropout > 0 else x

    def attend(self, q, k, v, additive):
        pa = self.dropout if self.training else 0.0
        if self.attention == "sdpa":
            return F.scaled_dot_product_attention(q, k, v, attn_mask=additive, dropout_p=pa)
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(q.shape[-1])) + additive
        probs = torch.softmax(scores, dim=-1)
        if pa > 0:
            probs = F.dropout(probs, pa, training=True)
        return torch.matmul(probs, v)

    def forward(self, ids, mask, initial=False):
        """The classifier forward; the teacher (initial=True) runs without dropout, as balora's Teacher (eval mode)."""
        training = self.training
        if initial:
            self.training = False
        try:
            return self._forward(ids, mask, initial)
        finally:
            self.training = training

    def _forward(self, ids, mask, initial):
        p = self.p
        n, t = ids.shape
        d = p["bert.embeddings.word_embeddings.weight"].shape[1]
        x = (F.embedding(ids, p["bert.embeddings.word_embeddings.weight"])
             + p["bert.embeddings.position_embeddings.weight"][:t]
             + p["bert.embeddings.token_type_embeddings.weight"][0])
        x = self.drop(F.layer_norm(x, (d,), p["bert.embeddings.LayerNorm.weight"], p["bert.embeddings.LayerNorm.bias"],
                                   self.eps))
        additive = ((1.0 - mask) * -1e9).view(n, 1, 1, t)
        hd = d // self.heads
        for i in range(self.layers):
            pre = f"bert.encoder.layer.{i}."

            def split(y):
                return y.view(n, t, self.heads, hd).transpose(1, 2)

            q = split(self.lora_linear(x, pre + "attention.self.query", initial))
            k = split(self.lora_linear(x, pre + "attention.self.key", initial))
            v = split(self.lora_linear(x, pre + "attention.self.value", initial))
            ctx = self.attend(q, k, v, additive)
            ctx = ctx.transpose(1, 2).reshape(n, t, d)
            h = self.drop(self.lora_linear(ctx, pre + "attention.output.dense", initial))
            x = F.layer_norm(h + x, (d,), p[pre + "attention.output.LayerNorm.weight"],
                             p[pre + "attention.output.LayerNorm.bias"], self.eps)
            inter = F.gelu(self.lora_linear(x, pre + "intermediate.dense", initial))
            h = self.drop(self.lora_linear(inter, pre + "output.dense", initial))
            x = F.layer_norm(h + x, (d,), p[pre + "output.LayerNorm.weight"], p[pre + "output.LayerNorm.bias"],
                             self.eps)
        weights = mask / mask.sum(dim=1, keepdim=True).clamp_min(1e-9)
        pooled = torch.bmm(weights.unsqueeze(1), x).squeeze(1)
        logits = F.linear(self.drop(pooled), p["classifier.weight"], p["classifier.bias"])
        return pooled, logits


def consistency_cosine_mse(z, zp):
    n, w = z.shape
    return ((F.normalize(z, dim=1, eps=0.0) - F.normalize(zp, dim=1, eps=0.0)) ** 2).sum() / (n * w)


def diversity_covariance(z):
    n, w = z.shape
    zc = z - z.mean(dim=0, keepdim=True)
    c = zc.T @ zc / (n - 1)
    o = c - torch.diag(torch.diagonal(c))
    return (o ** 2).sum() / w


def svd_nuclear(z, k):
    s = torch.linalg.svdvals(z)
    return -(s[:k].sum() / s.sum())


def proc_status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return -1


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def step_loss(model, batch, bi, regularized, cache, lambdas, svd_k, teacher_rows):
    """Forward of one training step: task loss plus, for BA-LoRA, the weighted regularizers."""
    ids, mask, labels = batch
    pooled, logits = model.forward(ids, mask)
    loss = F.cross_entropy(logits, labels)
    if regularized:
        zp = teacher_rows.get(bi) if cache else None
        if zp is None:
            with torch.no_grad():
                zp = model.forward(ids, mask, initial=True)[0]
            if cache:
                teacher_rows[bi] = zp
        loss = (loss + lambdas[0] * consistency_cosine_mse(pooled, zp) + lambdas[1] * diversity_covariance(pooled)
                + lambdas[2] * svd_nuclear(pooled, svd_k))
    return loss


def make_optimizer(params, lr, weight_decay, kind):
    args = dict(lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=weight_decay)
    if kind == "fused":
        return torch.optim.AdamW(params, fused=True, **args)
    if kind == "foreach":
        return torch.optim.AdamW(params, foreach=True, **args)
    return torch.optim.AdamW(params, foreach=False, **args)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", required=True, help="safetensors file written by StepBench export=FILE")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--cache", choices=("on", "off"), default="on", help="BA-LoRA teacher cache")
    ap.add_argument("--dropout", type=float, default=0.1, help="hidden and attention dropout while timing (0.1: the job's)")
    ap.add_argument("--attention", choices=("sdpa", "math"), default="sdpa")
    ap.add_argument("--adamw", choices=("fused", "foreach", "loop"), default="fused")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--out", help="append the JSON line here")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    p, meta = read_safetensors(a.weights)
    method = meta["method"]
    batches = []
    for b in range(int(meta["batches"])):
        batches.append((p.pop(f"batch.{b}.ids").long(), p.pop(f"batch.{b}.mask"), p.pop(f"batch.{b}.labels").long()))
    model = Peer(p, meta, dropout=a.dropout, attention=a.attention)
    opt = make_optimizer(model.trainable, float(meta["lr"]), float(meta["weight_decay"]), a.adamw)
    regularized = method == "balora"
    lambdas = [float(meta["lambda1"]), float(meta["lambda2"]), float(meta["lambda3"])]
    svd_k = int(meta["svd_k"])
    cache = a.cache == "on"
    teacher_rows = {}
    t1 = time.perf_counter()

    # The loss check: batch 0, parameters as exported, dropout off (balora exported its first loss that way).
    model.dropout = 0.0
    with torch.no_grad():
        value = step_loss(model, batches[0], 0, regularized, False, lambdas, svd_k, {}).item()
    model.dropout = a.dropout
    ours = float(meta["balora_loss0"])
    delta = abs(value - ours)
    print(f"loss on batch 0 before any update, dropout off: torch {value:.9f}  balora {ours:.9f}  |delta| {delta:.3g}",
          file=sys.stderr)
    if not delta < LOSS_TOLERANCE:
        print(f"FAIL: |delta| = {delta:.3g} >= {LOSS_TOLERANCE}: the peer does not compute balora's loss", file=sys.stderr)
        sys.exit(3)
    setup_peak = proc_status("VmHWM:")
    reset = reset_peak()

    step_ms, fwd_ms, bwd_ms, opt_ms, losses, warm_ms = [], [], [], [], [], []
    first_step_end = None
    for i in range(a.warmup + a.steps):
        bi = i % len(batches)
        torch.manual_seed(i)  # the masks of step i, as balora reseeds its dropout per step
        s0 = time.perf_counter()
        loss = step_loss(model, batches[bi], bi, regularized, cache, lambdas, svd_k, teacher_rows)
        value = loss.item()
        s1 = time.perf_counter()
        loss.backward()
        s2 = time.perf_counter()
        opt.step()
        opt.zero_grad(set_to_none=True)
        s3 = time.perf_counter()
        losses.append(value)
        if i == 0:
            first_step_end = time.time() - process_start_time()
        if i >= a.warmup:
            step_ms.append((s3 - s0) * 1e3)
            fwd_ms.append((s1 - s0) * 1e3)
            bwd_ms.append((s2 - s1) * 1e3)
            opt_ms.append((s3 - s2) * 1e3)
        else:
            warm_ms.append((s3 - s0) * 1e3)

    n, t = batches[0][0].shape
    r = {
        "side": "torch", "method": method, "cache": cache, "threads": a.threads, "batch": n, "seq": t,
        "dropout": a.dropout, "attention": a.attention, "adamw": a.adamw,
        "realTokens": int(batches[0][1].sum().item()), "warmup": a.warmup,
        "trainableParams": sum(x.numel() for x in model.trainable),
        "loadSeconds": t1 - t0, "setupSeconds": 0.0,
        "stepMs": step_ms, "forwardMs": fwd_ms, "backwardMs": bwd_ms, "optimizerMs": opt_ms, "loss": losses,
        "warmupMs": warm_ms, "firstStepEndMs": first_step_end * 1e3 if first_step_end is not None else -1,
        "loss0Balora": ours,
        "peakRssKib": max(setup_peak, proc_status("VmHWM:")),
        "trainPeakRssKib": proc_status("VmHWM:") if reset else -1,
        "torch": torch.__version__, "numThreads": torch.get_num_threads(),
        "loadAverage": os.getloadavg()[0],
    }
    line = json.dumps(r)
    print("RESULT " + line)
    if a.out:
        with open(a.out, "a") as f:
            f.write(line + "\n")


def process_start_time():
    """Wall-clock time this process started (from /proc), so 'first step end' counts interpreter start and imports."""
    with open("/proc/self/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    start_ticks = int(fields[19])
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    return time.time() - uptime + start_ticks / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
