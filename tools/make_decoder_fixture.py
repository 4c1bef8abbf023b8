#!/usr/bin/env python3
"""Writes the causal-decoder fixtures for balora's models tests (dev.balora.models.decoder).

For each tiny model (GPT-2 family; LLaMA family with grouped-query attention and an untied head; LLaMA with
multi-query attention, biases and a tied head) this script draws random weights, rounds them to float32, and
writes a Hugging Face model directory:
  <name>/config.json          the Hugging Face config (model_type gpt2 / llama)
  <name>/model.safetensors    float32 weights with Hugging Face names and layouts (GPT-2's Conv1D weights are
                              [in, out]; the GPT-2 file uses the bare GPT2Model names of the original hub
                              checkpoint and carries the h.i.attn.bias causal-mask buffers, which loaders skip)
  <name>/expected.safetensors float64 results of an independent plain-PyTorch reference computed in float64 from
                              the same float32 values:
      ids, labels (I64 [N, T]; labels aligned with the logits: labels[i] = ids[i+1], -100 = ignored),
      logits [N, T, V], loss [] (mean cross-entropy over labelled positions),
      grad.<balora parameter name> (gradient of the loss, in balora's in-memory layout: Linear weights [out, in],
      i.e. GPT-2's Conv1D gradients transposed, GPT-2 names with the "transformer." prefix),
      prompt (I64 [P]) and greedy (I64 [G]): the next G tokens chosen greedily after the prompt.

The reference is written here from the architectures' definitions (no transformers import): GPT-2 with learned
positions, LayerNorm, gelu_new (tanh form), fused c_attn; LLaMA with RMSNorm, rotate-half RoPE, SwiGLU and
repeat_kv grouped-query attention.

Usage (torch is not needed at test time; rerun only to regenerate the fixtures):
  pip install --no-deps --no-index --target /tmp/torchpkg /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl
  PYTHONPATH=/tmp/torchpkg python3 tools/make_decoder_fixture.py models/src/test/resources/decoder
"""
import json
import math
import struct
import sys
from pathlib import Path

import torch

torch.set_default_dtype(torch.float64)
N, T = 2, 9


def write_safetensors(path, tensors, metadata=None):
    """Hugging Face layout: header JSON (8-byte little-endian length, space-padded to 8), data back to back."""
    names = sorted(tensors)
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for name in names:
        t = tensors[name].contiguous()
        if t.dtype == torch.float32:
            dtype, fmt = "F32", "<%df"
        elif t.dtype == torch.float64:
            dtype, fmt = "F64", "<%dd"
        elif t.dtype == torch.int64:
            dtype, fmt = "I64", "<%dq"
        else:
            raise ValueError(t.dtype)
        flat = t.reshape(-1).tolist()
        blob = struct.pack(fmt % len(flat), *flat)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def f32(t):
    """Rounds to float32 and back, so the file holds exactly the values the reference computes with."""
    return t.to(torch.float32).to(torch.float64)


class Params:
    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)
        self.p = {}

    def randn(self, name, *shape, std=0.2, mean=0.0):
        t = f32(mean + std * torch.randn(*shape, generator=self.g)).requires_grad_(True)
        self.p[name] = t
        return t


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def rms_norm(x, w, eps):
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + eps) * w


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def causal_attention(q, k, v):
    """q [N, H, T, D], k/v [N, H, T, D] (kv heads already repeated)."""
    t = q.shape[2]
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    scores = scores.masked_fill(mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


# ---- GPT-2 --------------------------------------------------------------------------------------------------

def gpt2_model(seed):
    cfg = dict(model_type="gpt2", architectures=["GPT2LMHeadModel"], vocab_size=37, n_embd=16, n_layer=2, n_head=4,
               n_inner=None, n_positions=16, n_ctx=16, activation_function="gelu_new", layer_norm_epsilon=1e-5,
               embd_pdrop=0.1, resid_pdrop=0.1, attn_pdrop=0.1, initializer_range=0.02, scale_attn_weights=True,
               bos_token_id=0, eos_token_id=0, tie_word_embeddings=True)
    d, v, L, P = cfg["n_embd"], cfg["vocab_size"], cfg["n_layer"], cfg["n_positions"]
    inner = 4 * d
    ps = Params(seed)
    ps.randn("wte.weight", v, d, std=0.5)
    ps.randn("wpe.weight", P, d, std=0.3)
    for i in range(L):
        pre = f"h.{i}."
        ps.randn(pre + "ln_1.weight", d, std=0.1, mean=1.0)
        ps.randn(pre + "ln_1.bias", d, std=0.1)
        ps.randn(pre + "attn.c_attn.weight", d, 3 * d, std=0.3)   # Conv1D [in, out]
        ps.randn(pre + "attn.c_attn.bias", 3 * d, std=0.1)
        ps.randn(pre + "attn.c_proj.weight", d, d, std=0.3)
        ps.randn(pre + "attn.c_proj.bias", d, std=0.1)
        ps.randn(pre + "ln_2.weight", d, std=0.1, mean=1.0)
        ps.randn(pre + "ln_2.bias", d, std=0.1)
        ps.randn(pre + "mlp.c_fc.weight", d, inner, std=0.3)
        ps.randn(pre + "mlp.c_fc.bias", inner, std=0.1)
        ps.randn(pre + "mlp.c_proj.weight", inner, d, std=0.2)
        ps.randn(pre + "mlp.c_proj.bias", d, std=0.1)
    ps.randn("ln_f.weight", d, std=0.1, mean=1.0)
    ps.randn("ln_f.bias", d, std=0.1)
    return cfg, ps


def gpt2_forward(cfg, p, ids):
    n, t = ids.shape
    d, heads, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    x = p["wte.weight"][ids] + p["wpe.weight"][torch.arange(t)]
    for i in range(cfg["n_layer"]):
        pre = f"h.{i}."
        h = layer_norm(x, p[pre + "ln_1.weight"], p[pre + "ln_1.bias"], eps)
        qkv = h @ p[pre + "attn.c_attn.weight"] + p[pre + "attn.c_attn.bias"]
        q, k, v = qkv.split(d, dim=-1)
        split = lambda y: y.view(n, t, heads, d // heads).transpose(1, 2)
        ctx = causal_attention(split(q), split(k), split(v)).transpose(1, 2).reshape(n, t, d)
        x = x + ctx @ p[pre + "attn.c_proj.weight"] + p[pre + "attn.c_proj.bias"]
        h = layer_norm(x, p[pre + "ln_2.weight"], p[pre + "ln_2.bias"], eps)
        m = gelu_new(h @ p[pre + "mlp.c_fc.weight"] + p[pre + "mlp.c_fc.bias"])
        x = x + m @ p[pre + "mlp.c_proj.weight"] + p[pre + "mlp.c_proj.bias"]
    x = layer_norm(x, p["ln_f.weight"], p["ln_f.bias"], eps)
    return x @ p["wte.weight"].T


def gpt2_balora_name(name, grad):
    """balora keeps GPT-2 under 'transformer.' with Conv1D weights transposed to Linear [out, in]."""
    if name.endswith((".c_attn.weight", ".c_proj.weight", ".c_fc.weight")):
        grad = grad.T
    return "transformer." + name, grad


def gpt2_file_tensors(cfg, p):
    out = {k: v.detach().to(torch.float32) for k, v in p.items()}
    P = cfg["n_positions"]
    mask = torch.tril(torch.ones(P, P)).view(1, 1, P, P).to(torch.float32)
    for i in range(cfg["n_layer"]):
        out[f"h.{i}.attn.bias"] = mask   # the causal-mask buffer of old GPT-2 checkpoints
    return out


# ---- LLaMA --------------------------------------------------------------------------------------------------

def llama_model(seed, heads, kv_heads, tied, bias, theta):
    hidden, head_dim = 24, 6
    cfg = dict(model_type="llama", architectures=["LlamaForCausalLM"], vocab_size=41, hidden_size=hidden,
               intermediate_size=40, num_hidden_layers=2, num_attention_heads=heads, num_key_value_heads=kv_heads,
               head_dim=head_dim, max_position_embeddings=16, rms_norm_eps=1e-6, rope_theta=theta, rope_scaling=None,
               hidden_act="silu", attention_bias=bias, mlp_bias=bias, attention_dropout=0.0, tie_word_embeddings=tied,
               initializer_range=0.02, bos_token_id=1, eos_token_id=2)
    v, inter = cfg["vocab_size"], cfg["intermediate_size"]
    ps = Params(seed)
    ps.randn("model.embed_tokens.weight", v, hidden, std=0.5)
    for i in range(cfg["num_hidden_layers"]):
        pre = f"model.layers.{i}."
        ps.randn(pre + "input_layernorm.weight", hidden, std=0.1, mean=1.0)
        ps.randn(pre + "self_attn.q_proj.weight", heads * head_dim, hidden, std=0.3)
        ps.randn(pre + "self_attn.k_proj.weight", kv_heads * head_dim, hidden, std=0.3)
        ps.randn(pre + "self_attn.v_proj.weight", kv_heads * head_dim, hidden, std=0.3)
        ps.randn(pre + "self_attn.o_proj.weight", hidden, heads * head_dim, std=0.3)
        if bias:
            ps.randn(pre + "self_attn.q_proj.bias", heads * head_dim, std=0.1)
            ps.randn(pre + "self_attn.k_proj.bias", kv_heads * head_dim, std=0.1)
            ps.randn(pre + "self_attn.v_proj.bias", kv_heads * head_dim, std=0.1)
            ps.randn(pre + "self_attn.o_proj.bias", hidden, std=0.1)
        ps.randn(pre + "post_attention_layernorm.weight", hidden, std=0.1, mean=1.0)
        ps.randn(pre + "mlp.gate_proj.weight", inter, hidden, std=0.3)
        ps.randn(pre + "mlp.up_proj.weight", inter, hidden, std=0.3)
        ps.randn(pre + "mlp.down_proj.weight", hidden, inter, std=0.2)
        if bias:
            ps.randn(pre + "mlp.gate_proj.bias", inter, std=0.1)
            ps.randn(pre + "mlp.up_proj.bias", inter, std=0.1)
            ps.randn(pre + "mlp.down_proj.bias", hidden, std=0.1)
    ps.randn("model.norm.weight", hidden, std=0.1, mean=1.0)
    if not tied:
        ps.randn("lm_head.weight", v, hidden, std=0.3)
    return cfg, ps


def linear(p, name, x):
    y = x @ p[name + ".weight"].T
    return y + p[name + ".bias"] if name + ".bias" in p else y


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def llama_forward(cfg, p, ids):
    n, t = ids.shape
    heads, kv, hd = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
    eps = cfg["rms_norm_eps"]
    inv_freq = cfg["rope_theta"] ** (-torch.arange(0, hd, 2, dtype=torch.float64) / hd)
    freqs = torch.outer(torch.arange(t, dtype=torch.float64), inv_freq)
    emb = torch.cat([freqs, freqs], dim=-1)
    cos, sin = emb.cos(), emb.sin()
    x = p["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        pre = f"model.layers.{i}."
        h = rms_norm(x, p[pre + "input_layernorm.weight"], eps)
        q = linear(p, pre + "self_attn.q_proj", h).view(n, t, heads, hd).transpose(1, 2)
        k = linear(p, pre + "self_attn.k_proj", h).view(n, t, kv, hd).transpose(1, 2)
        v = linear(p, pre + "self_attn.v_proj", h).view(n, t, kv, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(heads // kv, dim=1)   # repeat_kv
        v = v.repeat_interleave(heads // kv, dim=1)
        ctx = causal_attention(q, k, v).transpose(1, 2).reshape(n, t, heads * hd)
        x = x + linear(p, pre + "self_attn.o_proj", ctx)
        h = rms_norm(x, p[pre + "post_attention_layernorm.weight"], eps)
        gate = linear(p, pre + "mlp.gate_proj", h)
        m = linear(p, pre + "mlp.down_proj", torch.nn.functional.silu(gate) * linear(p, pre + "mlp.up_proj", h))
        x = x + m
    x = rms_norm(x, p["model.norm.weight"], eps)
    head = p["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else p["lm_head.weight"]
    return x @ head.T


# ---- fixture ------------------------------------------------------------------------------------------------

def fixture(out_dir, name, cfg, ps, forward, file_tensors, balora_name, seed):
    g = torch.Generator().manual_seed(seed)
    v = cfg["vocab_size"]
    ids = torch.randint(0, v, (N, T), generator=g)
    labels = torch.full((N, T), -100, dtype=torch.int64)
    labels[:, :-1] = ids[:, 1:]
    labels[0, :3] = -100     # a masked "prompt"
    labels[1, 5] = -100
    logits = forward(cfg, ps.p, ids)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, v), labels.reshape(-1), ignore_index=-100)
    loss.backward()
    expected = {"ids": ids, "labels": labels, "logits": logits.detach(), "loss": loss.detach()}
    for k, t in ps.p.items():
        bname, grad = balora_name(k, t.grad)
        expected["grad." + bname] = grad.detach().contiguous()
    prompt = ids[0, :4].clone()
    seq = prompt.clone()
    with torch.no_grad():
        for _ in range(8):
            nxt = forward(cfg, ps.p, seq.view(1, -1))[0, -1].argmax()
            seq = torch.cat([seq, nxt.view(1)])
    expected["prompt"] = prompt
    expected["greedy"] = seq[len(prompt):].clone()
    d = Path(out_dir) / name
    d.mkdir(parents=True, exist_ok=True)
    (d / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    write_safetensors(d / "model.safetensors", file_tensors(cfg, ps.p), {"format": "pt"})
    write_safetensors(d / "expected.safetensors", expected)
    print(name, "loss", loss.item(), "params", sum(t.numel() for t in ps.p.values()))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "models/src/test/resources/decoder"
    plain = lambda cfg, p: {k: t.detach().to(torch.float32) for k, t in p.items()}
    same = lambda k, gr: (k, gr)
    cfg, ps = gpt2_model(11)
    fixture(out, "gpt2-tiny", cfg, ps, gpt2_forward, gpt2_file_tensors, gpt2_balora_name, 101)
    cfg, ps = llama_model(12, heads=4, kv_heads=2, tied=False, bias=False, theta=10000.0)
    fixture(out, "llama-gqa", cfg, ps, llama_forward, plain, same, 102)
    cfg, ps = llama_model(13, heads=4, kv_heads=1, tied=True, bias=True, theta=50.0)
    fixture(out, "llama-mqa-tied", cfg, ps, llama_forward, plain, same, 103)


if __name__ == "__main__":
    main()
