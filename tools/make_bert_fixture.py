#!/usr/bin/env python3
"""Writes the BERT reference fixture that pins balora's BERT encoder to PyTorch's numbers.

A tiny random BERT (vocab 50, hidden 16, 2 layers, 2 heads, intermediate 32, 20 positions, 2 token types,
eps 1e-12, erf GELU) written out in plain torch -- the same computation as Hugging Face's BertModel, spelled
out op by op -- runs one padded batch (N=3, T=7, lengths 7/4/2) in float64 and stores, under Hugging Face
parameter names (prefixed "bert." as in BertForSequenceClassification):

  config, every parameter, the inputs, last_hidden_state, pooler_output (tanh(dense(h[:, 0]))),
  the attention-mask mean pooling, its L2-normalised form, CLS pooling, the logits of a 3-label classifier
  on the (un-normalised) mean pooling, the cross-entropy loss for the labels, and the gradient of that loss
  with respect to every parameter the loss depends on.

Usage: PYTHONPATH=/tmp/torchpkg python3 tools/make_bert_fixture.py models/src/test/resources/bert/tiny_bert.json
Needs only torch (no transformers, no numpy).
"""
import json
import math
import sys

import torch
import torch.nn.functional as F

CONFIG = dict(vocab_size=50, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
              intermediate_size=32, max_position_embeddings=20, type_vocab_size=2,
              layer_norm_eps=1e-12, hidden_act="gelu")
NUM_LABELS = 3
N, T = 3, 7
LENGTHS = [7, 4, 2]
LABELS = [2, 0, 1]


def make_params(gen):
    """Random parameters; norms get weights near 1 and non-zero biases so every term matters."""
    c = CONFIG
    h, i = c["hidden_size"], c["intermediate_size"]
    p = {}

    def normal(name, *shape, std=0.3):
        p[name] = torch.randn(*shape, generator=gen, dtype=torch.float64) * std

    def norm(name, dim):
        p[name + ".weight"] = 1.0 + 0.1 * torch.randn(dim, generator=gen, dtype=torch.float64)
        p[name + ".bias"] = 0.1 * torch.randn(dim, generator=gen, dtype=torch.float64)

    def linear(name, out_dim, in_dim):
        normal(name + ".weight", out_dim, in_dim, std=1.0 / math.sqrt(in_dim))
        normal(name + ".bias", out_dim, std=0.1)

    normal("bert.embeddings.word_embeddings.weight", c["vocab_size"], h, std=0.5)
    normal("bert.embeddings.position_embeddings.weight", c["max_position_embeddings"], h, std=0.5)
    normal("bert.embeddings.token_type_embeddings.weight", c["type_vocab_size"], h, std=0.5)
    norm("bert.embeddings.LayerNorm", h)
    for l in range(c["num_hidden_layers"]):
        pre = f"bert.encoder.layer.{l}."
        for part in ("query", "key", "value"):
            linear(pre + "attention.self." + part, h, h)
        linear(pre + "attention.output.dense", h, h)
        norm(pre + "attention.output.LayerNorm", h)
        linear(pre + "intermediate.dense", i, h)
        linear(pre + "output.dense", h, i)
        norm(pre + "output.LayerNorm", h)
    linear("bert.pooler.dense", h, h)
    linear("classifier", NUM_LABELS, h)
    return p


def lin(p, name, x):
    return x @ p[name + ".weight"].T + p[name + ".bias"]


def ln(p, name, x):
    return F.layer_norm(x, (x.shape[-1],), p[name + ".weight"], p[name + ".bias"], CONFIG["layer_norm_eps"])


def bert(p, ids, types, mask):
    """Hugging Face BertModel (eval mode, absolute positions) in plain torch: returns (last_hidden, pooler)."""
    c = CONFIG
    heads = c["num_attention_heads"]
    dh = c["hidden_size"] // heads
    n, t = ids.shape
    pos = torch.arange(t)
    x = (p["bert.embeddings.word_embeddings.weight"][ids]
         + p["bert.embeddings.position_embeddings.weight"][pos][None]
         + p["bert.embeddings.token_type_embeddings.weight"][types])
    x = ln(p, "bert.embeddings.LayerNorm", x)
    # HF's extended attention mask: 0 where attended, the dtype's minimum where padded.
    additive = (1.0 - mask.to(torch.float64))[:, None, None, :] * torch.finfo(torch.float64).min
    for l in range(c["num_hidden_layers"]):
        pre = f"bert.encoder.layer.{l}."

        def split(y):
            return y.view(n, t, heads, dh).permute(0, 2, 1, 3)

        q = split(lin(p, pre + "attention.self.query", x))
        k = split(lin(p, pre + "attention.self.key", x))
        v = split(lin(p, pre + "attention.self.value", x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(dh) + additive
        ctx = (scores.softmax(-1) @ v).permute(0, 2, 1, 3).reshape(n, t, heads * dh)
        x = ln(p, pre + "attention.output.LayerNorm", lin(p, pre + "attention.output.dense", ctx) + x)
        inter = F.gelu(lin(p, pre + "intermediate.dense", x))
        x = ln(p, pre + "output.LayerNorm", lin(p, pre + "output.dense", inter) + x)
    pooler = torch.tanh(lin(p, "bert.pooler.dense", x[:, 0]))
    return x, pooler


def mean_pool(h, mask):
    m = mask.to(h.dtype)[:, :, None]
    return (h * m).sum(1) / m.sum(1).clamp(min=1e-9)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def tensor_json(t):
    return {"shape": list(t.shape), "data": flat(t)}


def main(out_path):
    gen = torch.Generator().manual_seed(20240807)
    params = make_params(gen)
    for v in params.values():
        v.requires_grad_(True)
    ids = torch.randint(0, CONFIG["vocab_size"], (N, T), generator=gen)
    mask = torch.zeros(N, T, dtype=torch.long)
    for r, length in enumerate(LENGTHS):
        mask[r, :length] = 1
    ids = ids * mask  # padding id 0, as a tokenizer would emit
    types = torch.zeros(N, T, dtype=torch.long)
    types[0, 4:] = 1
    types[1, 2:4] = 1
    labels = torch.tensor(LABELS)

    hidden, pooler = bert(params, ids, types, mask)
    mean = mean_pool(hidden, mask)
    normalized = F.normalize(mean, p=2, dim=1)
    cls = hidden[:, 0]
    logits = lin(params, "classifier", mean)
    loss = F.cross_entropy(logits, labels)
    loss.backward()

    fixture = {
        "about": "tools/make_bert_fixture.py: tiny BERT in float64 torch " + torch.__version__,
        "config": CONFIG,
        "num_labels": NUM_LABELS,
        "n": N,
        "t": T,
        "input_ids": flat(ids),
        "attention_mask": flat(mask),
        "token_type_ids": flat(types),
        "labels": LABELS,
        "params": {k: tensor_json(v) for k, v in params.items()},
        "last_hidden_state": tensor_json(hidden),
        "pooler_output": tensor_json(pooler),
        "mean_pooled": tensor_json(mean),
        "mean_pooled_normalized": tensor_json(normalized),
        "cls_pooled": tensor_json(cls),
        "logits": tensor_json(logits),
        "loss": float(loss.detach()),
        "grads": {k: tensor_json(v.grad) for k, v in params.items() if v.grad is not None},
    }
    for key in ("input_ids", "attention_mask", "token_type_ids"):
        fixture[key] = [int(v) for v in fixture[key]]
    with open(out_path, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {out_path}: loss {float(loss.detach()):.17g}, {len(fixture['grads'])} gradients")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "models/src/test/resources/bert/tiny_bert.json")
