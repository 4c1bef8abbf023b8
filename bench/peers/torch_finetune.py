#!/usr/bin/env python3
"""PyTorch peer of a whole `balora finetune --method lora` run, for the "whole run" wall-time benchmark.

Does what the balora job does, start to exit, in one Python process: reads the train and eval TSV files, takes a
stratified subset of the eval rows (--max-eval), tokenizes every row with the model's WordPiece tokenizer (Hugging
Face `tokenizers`, truncation to --max-length), builds MiniLM-L6 with rank-8 LoRA adapters on the 36 linear layers
(PEFT's init: Kaiming-uniform A, zero B; classifier head trained fully), trains --max-steps AdamW steps of --batch
shuffled examples padded to the longest in the batch, with dropout 0.1 as in training mode, a linear warm-up (6 %) and
decay schedule and global-norm gradient clipping 1.0, then evaluates on the eval rows (batches of 64, no gradient)
and writes predictions.tsv, metrics.json and the adapter (adapter_model.safetensors) to --out.

The pre-trained weights are the encoder part of a safetensors file written by balora's StepBench export (the same
MiniLM weights balora reads from its ONNX artifact); the LoRA and classifier tensors in that file are ignored and
initialised afresh. What balora's run does that this script does not: loss/accuracy plots (XChart PNGs), the
results table and a training checkpoint; what it adds: nothing.

Requires torch and tokenizers (and safetensors for the adapter file); prints one JSON line (RESULT ...) with the
phase times and appends it to --result when given.
"""
import argparse
import csv
import json
import math
import os
import random
import sys
import time

T_START = time.time()

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_step import Peer, process_start_time, read_safetensors, proc_status  # noqa: E402

TARGETS = ("attention.self.query", "attention.self.key", "attention.self.value",
           "attention.output.dense", "intermediate.dense", "output.dense")


def read_tsv(path, text_column="text", label_column="label"):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r[text_column] for r in rows], [r[label_column] for r in rows]


def stratified_subset(texts, labels, k, seed):
    """At most k rows with every label's share kept (rounded), in file order."""
    if k <= 0 or k >= len(texts):
        return texts, labels
    rng = random.Random(seed)
    by_label = {}
    for i, lab in enumerate(labels):
        by_label.setdefault(lab, []).append(i)
    keep = []
    for lab, idx in by_label.items():
        rng.shuffle(idx)
        keep.extend(idx[:max(1, round(k * len(idx) / len(texts)))])
    keep = sorted(keep)[:k]
    return [texts[i] for i in keep], [labels[i] for i in keep]


def build_model(weights_path, num_labels, rank, alpha, dropout, seed):
    p, meta = read_safetensors(weights_path)
    encoder = {k: v for k, v in p.items() if k.startswith("bert.") and ".lora_" not in k}
    g = torch.Generator().manual_seed(seed)
    d = encoder["bert.embeddings.word_embeddings.weight"].shape[1]
    for name in sorted({k.rsplit(".", 1)[0] for k in encoder if any(k.endswith(t + ".weight") for t in TARGETS)}):
        w = encoder[name + ".weight"]
        a = torch.empty(rank, w.shape[1])
        bound = 1.0 / math.sqrt(w.shape[1])  # kaiming_uniform_(a=sqrt(5)) as PEFT's lora_A
        a.uniform_(-bound, bound, generator=g)
        encoder[name + ".lora_A.weight"] = a
        encoder[name + ".lora_B.weight"] = torch.zeros(w.shape[0], rank)
    encoder["classifier.weight"] = torch.empty(num_labels, d).normal_(0.0, 0.02, generator=g)
    encoder["classifier.bias"] = torch.zeros(num_labels)
    meta = dict(meta)
    meta["scaling"] = str(alpha / rank)
    return Peer(encoder, meta, dropout=dropout, attention="sdpa")


def collate(ids_list, indices):
    t = max(len(ids_list[i]) for i in indices)
    ids = torch.zeros(len(indices), t, dtype=torch.long)
    mask = torch.zeros(len(indices), t)
    for r, i in enumerate(indices):
        row = ids_list[i]
        ids[r, :len(row)] = torch.tensor(row)
        mask[r, :len(row)] = 1.0
    return ids, mask


def lr_at(step, peak, warmup, total):
    if step < warmup:
        return peak * step / max(1, warmup)
    return peak * max(0.0, (total - step) / max(1, total - warmup))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", required=True, help="safetensors file of StepBench export=FILE (encoder weights)")
    ap.add_argument("--tokenizer", required=True, help="the model's tokenizer.json")
    ap.add_argument("--train", required=True)
    ap.add_argument("--eval", required=True)
    ap.add_argument("--max-eval", type=int, default=0)
    ap.add_argument("--max-steps", type=int, default=30)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--warmup", type=float, default=0.06)
    ap.add_argument("--max-grad-norm", type=float, default=1.0)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--alpha", type=float, default=8.0)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--result", help="append the JSON line here")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    from tokenizers import Tokenizer

    t_import = time.time()
    t_process = process_start_time()  # the interpreter's start, before T_START
    train_texts, train_labels = read_tsv(a.train)
    eval_texts, eval_labels = read_tsv(a.eval)
    eval_texts, eval_labels = stratified_subset(eval_texts, eval_labels, a.max_eval, a.seed)
    labels = sorted(set(train_labels))
    label_index = {lab: i for i, lab in enumerate(labels)}
    tok = Tokenizer.from_file(a.tokenizer)
    tok.enable_truncation(a.max_length)
    tok.no_padding()
    train_ids = [e.ids for e in tok.encode_batch(train_texts)]
    eval_ids = [e.ids for e in tok.encode_batch(eval_texts)]
    y_train = torch.tensor([label_index[lab] for lab in train_labels])
    y_eval = [label_index[lab] for lab in eval_labels]
    model = build_model(a.weights, len(labels), a.rank, a.alpha, a.dropout, a.seed)
    opt = torch.optim.AdamW(model.trainable, lr=a.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, fused=True)
    t_setup = time.time()

    warmup_steps = math.ceil(a.warmup * a.max_steps)
    order, pos, epoch = [], 0, 0
    losses = []
    first_step_end = None
    tenth_step_end = None
    model.training = True
    for step in range(a.max_steps):
        if pos + a.batch > len(order):
            order = torch.randperm(len(train_ids), generator=torch.Generator().manual_seed(a.seed + epoch)).tolist()
            pos, epoch = 0, epoch + 1
        idx = order[pos:pos + a.batch]
        pos += a.batch
        ids, mask = collate(train_ids, idx)
        for group in opt.param_groups:
            group["lr"] = lr_at(step, a.lr, warmup_steps, a.max_steps)
        _, logits = model.forward(ids, mask)
        loss = F.cross_entropy(logits, y_train[idx])
        loss.backward()
        if a.max_grad_norm > 0:
            torch.nn.utils.clip_grad_norm_(model.trainable, a.max_grad_norm)
        opt.step()
        opt.zero_grad(set_to_none=True)
        losses.append(loss.item())
        if first_step_end is None:
            first_step_end = time.time()
        if step == 9:
            tenth_step_end = time.time()
    t_train = time.time()

    model.training = False
    predictions = []
    with torch.no_grad():
        for start in range(0, len(eval_ids), 64):
            idx = list(range(start, min(start + 64, len(eval_ids))))
            ids, mask = collate(eval_ids, idx)
            probs = torch.softmax(model.forward(ids, mask)[1], dim=-1)
            for r, i in enumerate(idx):
                predictions.append((i, y_eval[i], int(probs[r].argmax()), probs[r].tolist()))
    accuracy = sum(1 for _, g, p, _ in predictions if g == p) / max(1, len(predictions))
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "predictions.tsv"), "w") as f:
        f.write("index\tgold\tpredicted\t" + "\t".join("p_" + lab for lab in labels) + "\n")
        for i, g, p, pr in predictions:
            f.write(f"{i}\t{labels[g]}\t{labels[p]}\t" + "\t".join(f"{x:.6f}" for x in pr) + "\n")
    with open(os.path.join(a.out, "metrics.json"), "w") as f:
        json.dump({"accuracy": accuracy, "losses": losses}, f)
    from safetensors.torch import save_file
    save_file({k: v.detach().contiguous() for k, v in model.p.items() if ".lora_" in k or k.startswith("classifier.")},
              os.path.join(a.out, "adapter_model.safetensors"))
    t_end = time.time()

    r = {"side": "torch", "kind": "run", "method": "lora", "threads": a.threads, "steps": a.max_steps,
         "batch": a.batch, "maxLength": a.max_length, "dropout": a.dropout, "evalRows": len(eval_ids),
         "importSeconds": t_import - T_START, "setupSeconds": t_setup - t_import,
         "firstStepEndSeconds": first_step_end - t_process,
         "tenthStepEndSeconds": tenth_step_end - t_process if tenth_step_end else -1, "trainSeconds": t_train - t_setup,
         "evalSeconds": t_end - t_train, "inProcessSeconds": t_end - T_START, "accuracy": accuracy,
         "lastLoss": losses[-1], "peakRssKib": proc_status("VmHWM:"), "torch": torch.__version__,
         "loadAverage": os.getloadavg()[0]}
    line = json.dumps(r)
    print("RESULT " + line)
    if a.result:
        with open(a.result, "a") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
