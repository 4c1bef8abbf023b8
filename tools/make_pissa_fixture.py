#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures for balora's LoRA layer: PiSSA init and PEFT-format interop.

1. PiSSA (SPEC §1.1), float64: W [33, 17] standard normal, r = 4, α = 8 (s = α/r = 2). With the thin SVD
   W = P Σ Qᵀ (torch.linalg.svd): A = diag(√(σ₁..ᵣ/s)) Q_rᵀ [4, 17], B = P_r diag(√(σ₁..ᵣ/s)) [33, 4],
   W_res = W − s·B·A. Singular vectors are defined up to sign, so the test compares s·B·A and W_res exactly and
   A, B up to a per-component sign. Written to pissa_torch.safetensors (F64): w, a, b, w_res, sba, sigma.

2. PEFT interop. The `peft` package is not available, so this mimics its on-disk layout with plain torch:
   a base model (peft_base_model.safetensors, F32, plain HF names) with layers
     blocks.0.attn.q_proj (7→5, bias), blocks.0.attn.v_proj (7→5, bias), blocks.0.mlp.up_proj (7→11, no bias),
     head (11→3, bias);
   and two adapter directories with adapter_config.json (the keys PEFT 0.17 writes) and adapter_model.safetensors
   (F32, metadata {"format": "pt"}, keys base_model.model.<path>.lora_A.weight [r, in] / .lora_B.weight [out, r],
   modules_to_save weights as base_model.model.<path>.<param>):
     peft_list:  target_modules ["q_proj", "v_proj", "up_proj"], r = 3, α = 6, modules_to_save ["head"];
     peft_regex: target_modules regex ".*\\.(q_proj|up_proj)", r = 2, α = 5, use_rslora (s = α/√r).
   peft_interop_expected.json holds inputs x [4, 7], xh [4, 11] and, per adapter and layer, torch's
   y = x Wᵀ + b + s·x Aᵀ Bᵀ in float64 from the float32 weights (for head: its replaced weights).

Usage (torch is needed only to regenerate the fixtures):
  pip install --no-deps --no-index --target /tmp/torchpkg /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl
  PYTHONPATH=/tmp/torchpkg python3 tools/make_pissa_fixture.py core/src/test/resources/fixtures
"""
import json
import math
import re
import struct
import sys
from pathlib import Path

import torch

FORMATS = {torch.float64: ("F64", "d"), torch.float32: ("F32", "f")}


def write_safetensors(path, tensors, metadata=None):
    header = {} if metadata is None else {"__metadata__": metadata}
    body = bytearray()
    for name, t in tensors.items():
        dtype, fmt = FORMATS[t.dtype]
        flat = t.detach().contiguous().reshape(-1).tolist()
        data = struct.pack("<%d%s" % (len(flat), fmt), *flat)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [len(body), len(body) + len(data)]}
        body += data
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + bytes(body))


def pissa(out, g):
    r, alpha = 4, 8.0
    s = alpha / r
    w = torch.randn(33, 17, generator=g, dtype=torch.float64)
    p, sigma, qt = torch.linalg.svd(w, full_matrices=False)
    root = torch.sqrt(sigma[:r] / s)
    a = root[:, None] * qt[:r, :]
    b = p[:, :r] * root[None, :]
    sba = s * (b @ a)
    write_safetensors(out / "pissa_torch.safetensors",
                      {"w": w, "a": a, "b": b, "w_res": w - sba, "sba": sba, "sigma": sigma},
                      {"r": str(r), "lora_alpha": str(alpha), "torch": torch.__version__})


def peft_config(r, alpha, targets, rslora, modules_to_save):
    # The keys and defaults PEFT 0.17 writes for a LoRA adapter, in its (sorted) order.
    return {
        "alpha_pattern": {}, "auto_mapping": None, "base_model_name_or_path": "balora/tiny-interop",
        "bias": "none", "corda_config": None, "eva_config": None, "exclude_modules": None,
        "fan_in_fan_out": False, "inference_mode": True, "init_lora_weights": True, "layer_replication": None,
        "layers_pattern": None, "layers_to_transform": None, "loftq_config": {}, "lora_alpha": alpha,
        "lora_bias": False, "lora_dropout": 0.0, "megatron_config": None, "megatron_core": "megatron.core",
        "modules_to_save": modules_to_save, "peft_type": "LORA", "qalora_group_size": 16, "r": r,
        "rank_pattern": {}, "revision": None, "target_modules": targets, "target_parameters": None,
        "task_type": None, "trainable_token_indices": None, "use_dora": False, "use_qalora": False,
        "use_rslora": rslora,
    }


def interop(out, g):
    layers = {"blocks.0.attn.q_proj": (7, 5, True), "blocks.0.attn.v_proj": (7, 5, True),
              "blocks.0.mlp.up_proj": (7, 11, False), "head": (11, 3, True)}
    base = {}
    for path, (i, o, bias) in layers.items():
        base[path + ".weight"] = torch.randn(o, i, generator=g) / math.sqrt(i)
        if bias:
            base[path + ".bias"] = torch.randn(o, generator=g) * 0.1
    write_safetensors(out / "peft_base_model.safetensors", base)
    x = torch.randn(4, 7, generator=g, dtype=torch.float64)
    xh = torch.randn(4, 11, generator=g, dtype=torch.float64)
    expected = {"x": x.tolist(), "xh": xh.tolist(), "adapters": {}}
    specs = {
        "peft_list": (3, 6, ["q_proj", "v_proj", "up_proj"], False, ["head"]),
        "peft_regex": (2, 5, r".*\.(q_proj|up_proj)", True, None),
    }
    for name, (r, alpha, targets, rslora, to_save) in specs.items():
        s = alpha / math.sqrt(r) if rslora else alpha / r
        targeted = [p for p in layers if p != "head" and (
            p.split(".")[-1] in targets if isinstance(targets, list) else re.fullmatch(targets, p))]
        tensors, outputs = {}, {}
        for path in layers:
            i, o, bias = layers[path]
            w = base[path + ".weight"].double()
            b = base[path + ".bias"].double() if bias else torch.zeros(o, dtype=torch.float64)
            inp = xh if path == "head" else x
            if path in targeted:
                a_ = torch.randn(r, i, generator=g) / math.sqrt(i)
                b_ = torch.randn(o, r, generator=g) * 0.3
                tensors[f"base_model.model.{path}.lora_A.weight"] = a_
                tensors[f"base_model.model.{path}.lora_B.weight"] = b_
                y = inp @ w.T + b + s * (inp @ a_.double().T @ b_.double().T)
            elif to_save and path in to_save:
                w2 = torch.randn(o, i, generator=g) / math.sqrt(i)
                b2 = torch.randn(o, generator=g)
                tensors[f"base_model.model.{path}.weight"] = w2
                tensors[f"base_model.model.{path}.bias"] = b2
                y = inp @ w2.double().T + b2.double()
            else:
                y = inp @ w.T + b
            outputs[path] = y.tolist()
        d = out / name
        d.mkdir(parents=True, exist_ok=True)
        write_safetensors(d / "adapter_model.safetensors", tensors, {"format": "pt"})
        (d / "adapter_config.json").write_text(json.dumps(peft_config(r, alpha, targets, rslora, to_save), indent=2,
                                                          sort_keys=True) + "\n")
        expected["adapters"][name] = {"scaling": s, "outputs": outputs}
    (out / "peft_interop_expected.json").write_text(json.dumps(expected, indent=1) + "\n")


def main(out_dir):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(20260117)
    pissa(out, g)
    interop(out, g)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "core/src/test/resources/fixtures")
