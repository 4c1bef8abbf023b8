#!/usr/bin/env python3
"""Writes the safetensors interop fixture for balora's core io tests.

The values come from PyTorch (seeded torch.randn, converted by torch to each dtype), and the file is laid
out by this script with struct + json, independently of balora's Java writer, following the Hugging Face
reference layout: tensors sorted by dtype size (largest first) then name, packed back to back; header
padded with spaces to a multiple of 8; "__metadata__" first.

Next to the .safetensors file it writes <name>_expected.json with, per tensor, the dtype, shape and the
expected decoded values, as exact bit patterns where floats are concerned:
  "f32_bits": IEEE float32 bits (int) of each element as torch converts it to float32 (F16/BF16/F32/F64),
  "f64_bits": IEEE float64 bits (int) of each element as torch converts it to float64 (F16/BF16/F32/F64),
  "ints":     the integer values (I64/I32/I16/I8/U8).

Usage (torch is not needed at test time; rerun only to regenerate the fixture):
  pip install --no-deps --no-index --target /tmp/torchpkg /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl
  PYTHONPATH=/tmp/torchpkg python3 tools/make_safetensors_fixture.py core/src/test/resources/io
"""
import json
import struct
import sys
from pathlib import Path

import torch

DTYPES = {
    "F64": (torch.float64, 8), "F32": (torch.float32, 4), "F16": (torch.float16, 2),
    "BF16": (torch.bfloat16, 2), "I64": (torch.int64, 8), "I32": (torch.int32, 4),
    "I16": (torch.int16, 2), "I8": (torch.int8, 1), "U8": (torch.uint8, 1),
}
# Raw-bit views torch supports for each element size; they avoid numpy (which has no bfloat16).
BIT_VIEW = {8: torch.int64, 4: torch.int32, 2: torch.int16, 1: torch.uint8}
FLOATS = {"F64", "F32", "F16", "BF16"}


def tensors():
    g = torch.Generator().manual_seed(20240617)
    special = torch.tensor([0.0, -0.0, 1.0, -2.5, 1 / 3, 65504.0, 6.0e-8, 1.0e-40, float("inf"), float("-inf"),
                            3.0e38, -1.0e-5, 7.0], dtype=torch.float64)
    return {
        "encoder.layer.0.attention.query.weight": ("F32", torch.randn(7, 3, generator=g)),
        "encoder.layer.0.attention.query.bias": ("F32", torch.randn(7, generator=g)),
        "half.weight": ("F16", torch.randn(3, 5, generator=g) * 100),
        "half.special": ("F16", special),
        "brain.weight": ("BF16", torch.randn(1, 17, generator=g) * 1e3),
        "brain.special": ("BF16", special),
        "double.values": ("F64", torch.randn(2, 3, 1, generator=g, dtype=torch.float64) * 1e-3),
        "double.scalar": ("F64", torch.tensor(-1.0 / 7.0, dtype=torch.float64)),
        "ids.long": ("I64", torch.tensor([[-(2 ** 63), -1, 0], [1, 2 ** 40 + 3, 2 ** 63 - 1]])),
        "ids.int": ("I32", torch.randint(-2 ** 31, 2 ** 31 - 1, (33,), generator=g)),
        "ids.short": ("I16", torch.tensor([-32768, -5, 0, 32767])),
        "ids.byte": ("I8", torch.tensor([-128, -1, 0, 127])),
        "ids.ubyte": ("U8", torch.tensor([0, 1, 200, 255])),
        "empty.f32": ("F32", torch.zeros(0, 3)),
        "empty.i64": ("I64", torch.zeros(0, dtype=torch.int64)),
    }


def raw_bytes(t, size):
    flat = t.contiguous().reshape(-1)
    bits = flat.view(BIT_VIEW[size])
    fmt = {8: "q", 4: "i", 2: "h", 1: "B"}[size]
    return struct.pack("<%d%s" % (bits.numel(), fmt), *bits.tolist())


def bits_of(t, dtype):
    view = torch.int32 if dtype == torch.float32 else torch.int64
    return t.to(dtype).contiguous().reshape(-1).view(view).tolist()


def main(out_dir):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    items = {name: (dt, t.to(DTYPES[dt][0])) for name, (dt, t) in tensors().items()}
    order = sorted(items, key=lambda n: (-DTYPES[items[n][0]][1], n))
    header = {"__metadata__": {"format": "pt", "source": "tools/make_safetensors_fixture.py", "seed": "20240617"}}
    body = bytearray()
    expected = {}
    for name in order:
        dt, t = items[name]
        size = DTYPES[dt][1]
        data = raw_bytes(t, size)
        header[name] = {"dtype": dt, "shape": list(t.shape), "data_offsets": [len(body), len(body) + len(data)]}
        body += data
        entry = {"dtype": dt, "shape": list(t.shape)}
        if dt in FLOATS:
            entry["f32_bits"] = bits_of(t, torch.float32)
            entry["f64_bits"] = bits_of(t, torch.float64)
        else:
            entry["ints"] = t.reshape(-1).tolist()
        expected[name] = entry
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    (out / "torch_fixture.safetensors").write_bytes(struct.pack("<Q", len(text)) + text + bytes(body))
    (out / "torch_fixture_expected.json").write_text(json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "core/src/test/resources/io")
