#!/usr/bin/env python3
"""Writes the PyTorch reference fixture for balora's BA-LoRA regularizers (SPEC §2).

Each regularizer is implemented here plainly from the SPEC formulas, in float64, and its gradient with respect
to the student Z_F is taken by torch AUTOGRAD (not by the hand-derived formulas balora uses), so the Java test
checks balora's hand-written backward passes against an independent derivation.

Cases: (N, w) in (2,3), (5,7), (17,4), (32,384), (64,9) with standard-normal inputs, and an NLG-like (40, 300)
case with logit-scale inputs (std 3). The teacher Z_P is a noisy copy of the student (0.8·Z_F + 0.5·noise), as a
pre-trained model's outputs would be close to the student's.

Terms: kl_T2, cosine_mse, covariance, topk_entropy_K2, topk_entropy_K0 (full row), svd_nuclear_k2, svd_frobenius_k3.
A term balora skips by design (the nuclear SVD term with k >= min(N, w), a constant -1) is listed as "skipped" and
has no tensors; the frobenius SVD term with k >= min(N, w) is -||Z||_*/||Z||_F and is computed (SPEC §2).

Output: one safetensors file of F64 tensors
  "<case>.zf" [N, w], "<case>.zp" [N, w], "<case>.<term>.value" [1], "<case>.<term>.grad" [N, w]
and "__metadata__" {"manifest": JSON [{"name", "n", "w", "terms": {term: "computed" | "skipped"}}]}.
The file is laid out by struct + json (torch's own safetensors package is not needed).

Usage (torch is needed only to regenerate the fixture):
  pip install --no-deps --no-index --target /tmp/torchpkg /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl
  PYTHONPATH=/tmp/torchpkg python3 tools/make_regularizer_fixture.py core/src/test/resources/fixtures
"""
import json
import struct
import sys
from pathlib import Path

import torch

SHAPES = [("n2_w3", 2, 3, 1.0), ("n5_w7", 5, 7, 1.0), ("n17_w4", 17, 4, 1.0), ("n32_w384", 32, 384, 1.0),
          ("n64_w9", 64, 9, 1.0), ("nlg_n40_w300", 40, 300, 3.0)]


def kl(zf, zp, t=2.0):
    p_log = torch.log_softmax(zp / t, dim=1)
    q_log = torch.log_softmax(zf / t, dim=1)
    per_row = (p_log.exp() * (p_log - q_log)).sum(dim=1)
    return t * t * per_row.mean()


def cosine_mse(zf, zp):
    u = zf / zf.norm(dim=1, keepdim=True)
    t = zp / zp.norm(dim=1, keepdim=True)
    n, w = zf.shape
    return ((u - t) ** 2).sum() / (n * w)


def covariance(zf):
    n, w = zf.shape
    zc = zf - zf.mean(dim=0, keepdim=True)
    c = zc.T @ zc / (n - 1)
    off = c - torch.diag(torch.diag(c))
    return (off ** 2).sum() / w


def topk_entropy(zf, k):
    chosen = zf if k == 0 else torch.topk(zf, k, dim=1).values
    logp = torch.log_softmax(chosen, dim=1)
    neg_entropy = (logp.exp() * logp).sum(dim=1)  # -H per row
    return neg_entropy.mean()


def svd_term(zf, k, norm):
    s = torch.linalg.svdvals(zf)
    sk = s[:k].sum()
    return -sk / (s.sum() if norm == "nuclear" else zf.norm())


TERMS = {
    "kl_T2": (lambda zf, zp: kl(zf, zp, 2.0), None),
    "cosine_mse": (cosine_mse, None),
    "covariance": (lambda zf, zp: covariance(zf), None),
    "topk_entropy_K2": (lambda zf, zp: topk_entropy(zf, 2), None),
    "topk_entropy_K0": (lambda zf, zp: topk_entropy(zf, 0), None),
    "svd_nuclear_k2": (lambda zf, zp: svd_term(zf, 2, "nuclear"), 2),
    "svd_frobenius_k3": (lambda zf, zp: svd_term(zf, 3, "frobenius"), 3),
}


def f64_bytes(t):
    flat = t.detach().to(torch.float64).contiguous().reshape(-1).tolist()
    return struct.pack("<%dd" % len(flat), *flat)


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    body = bytearray()
    for name, t in tensors.items():
        data = f64_bytes(t)
        header[name] = {"dtype": "F64", "shape": list(t.shape), "data_offsets": [len(body), len(body) + len(data)]}
        body += data
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + bytes(body))


def main(out_dir):
    g = torch.Generator().manual_seed(2408_04556)
    tensors = {}
    manifest = []
    for name, n, w, scale in SHAPES:
        zf = torch.randn(n, w, generator=g, dtype=torch.float64) * scale
        zp = 0.8 * zf + 0.5 * scale * torch.randn(n, w, generator=g, dtype=torch.float64)
        tensors[name + ".zf"] = zf
        tensors[name + ".zp"] = zp
        status = {}
        for term, (fn, svd_k) in TERMS.items():
            if term.startswith("svd_nuclear") and svd_k >= min(n, w):
                status[term] = "skipped"
                continue
            x = zf.clone().requires_grad_(True)
            value = fn(x, zp)
            value.backward()
            tensors[f"{name}.{term}.value"] = value.detach().reshape(1)
            tensors[f"{name}.{term}.grad"] = x.grad
            status[term] = "computed"
        manifest.append({"name": name, "n": n, "w": w, "terms": status})
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_safetensors(out / "regularizers_torch.safetensors", tensors,
                      {"manifest": json.dumps(manifest), "torch": torch.__version__})


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "core/src/test/resources/fixtures")
