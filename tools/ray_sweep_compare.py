#!/usr/bin/env python3
"""Compares a Ray Tune run of a grid (tools/ray_sweep.py) with the local runner's (balora sweep) on the same grid.

  python3 tools/ray_sweep_compare.py LOCAL_SWEEP_DIR RAY_SWEEP_DIR
Done trials must equal the local points bit for bit; stopped trials' reports must be the local run's first
validations; at least one trial must have been stopped early. Prints a Markdown table; exit 1 on any mismatch.
"""
import json
import os
import sys

FILES = ["predictions.tsv", "test_predictions.tsv", "adapter/adapter_model.safetensors", "best/parameters.safetensors",
         "selection.json", "test_metrics.json"]
TIMES = {"examples_per_s", "tokens_per_s", "elapsed_s", "eval_s"}


def lines(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for l in f:
            if l.strip():
                d = json.loads(l)
                out.append({k: v for k, v in d.items() if k not in TIMES})
    return out


def same_bytes(a, b, name):
    fa, fb = os.path.join(a, name), os.path.join(b, name)
    if name == "test_metrics.json":  # holds the test file's path; compare the numbers
        ja, jb = json.load(open(fa)), json.load(open(fb))
        return all(ja[k] == jb[k] for k in ("accuracy", "macro_f1", "mcc", "loss"))
    with open(fa, "rb") as x, open(fb, "rb") as y:
        return x.read() == y.read()


def main(local, ray):
    trials = {}
    with open(os.path.join(ray, "ray-trials.jsonl"), encoding="utf-8") as f:
        for l in f:
            t = json.loads(l)
            trials[t["id"]] = t
    rows, ok, stopped = [], True, 0
    for pid in sorted(os.listdir(os.path.join(local, "points"))):
        lp = os.path.join(local, "points", pid)
        rp = os.path.join(ray, "points", pid)
        status = json.load(open(os.path.join(rp, "point.json")))["status"]
        evals = [e for e in lines(os.path.join(lp, "metrics.jsonl")) if e["type"] == "eval"]
        reps = trials[pid]["reports"]
        # the reports are the local run's validations in order (a done trial's last report repeats the last one)
        prefix = all(abs(r["val_accuracy"] - e["accuracy"]) == 0 and r["val_loss"] == e["loss"] and r["step"] == e["step"]
                     for r, e in zip(reps, evals))
        if status == "done":
            files = {n: same_bytes(lp, rp, n) for n in FILES}
            metrics = lines(os.path.join(lp, "metrics.jsonl")) == lines(os.path.join(rp, "metrics.jsonl"))
            good = all(files.values()) and metrics and prefix
            detail = "bit-identical: " + ", ".join(n for n, v in files.items() if v) + (", metrics.jsonl" if metrics else "")
        else:
            stopped += status == "stopped"
            good = prefix and len(reps) < len(evals)
            detail = f"{len(reps)} of the local run's {len(evals)} validations reported, identical"
        ok &= good
        rows.append(f"| {pid} | {status} | {len(reps)} | {len(evals)} | {'yes' if good else '**NO**'} | {detail} |")
    print("| point | Ray status | Tune reports | local validations | equal | what was compared |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nstopped early by ASHA: {stopped}; all equal: {ok}")
    return 0 if ok and stopped >= 1 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
