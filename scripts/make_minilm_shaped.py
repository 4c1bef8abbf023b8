#!/usr/bin/env python3
"""Writes a BERT model with all-MiniLM-L6-v2's shape (6 layers, hidden 384, 12 heads, intermediate 1536, vocab
30522) and random weights as a Hugging Face folder (config.json, model.safetensors) plus MiniLM's tokenizer.json,
for GPU machines where the real weights are not at hand: step speed does not depend on the weights.

Usage: make_minilm_shaped.py OUT_DIR TOKENIZER_JSON
"""
import shutil
import sys

import torch
from transformers import BertConfig, BertModel

out, tok = sys.argv[1], sys.argv[2]
torch.manual_seed(0)
cfg = BertConfig(vocab_size=30522, hidden_size=384, num_hidden_layers=6, num_attention_heads=12,
                 intermediate_size=1536, hidden_act="gelu", max_position_embeddings=512, type_vocab_size=2,
                 layer_norm_eps=1e-12)
BertModel(cfg, add_pooling_layer=False).save_pretrained(out, safe_serialization=True)
shutil.copy(tok, f"{out}/tokenizer.json")
print(f"make_minilm_shaped: wrote {out}")
