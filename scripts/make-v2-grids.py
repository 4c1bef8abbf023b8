#!/usr/bin/env python3
"""Writes the grid files of protocol v2 (docs/protocol.md) for `balora sweep` and tools/ray_sweep.py.

  python3 scripts/make-v2-grids.py            -> grids/v2/<task>-<backbone>.json (the CPU-sized, staged grids)
                                                 grids/v2-full/<task>-<backbone>.json (the full, joint grids)
Data paths are relative to the repository root (scripts/repro-v2.sh prepares them under runs/v2/data/).
"""
import json
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TASKS = {"food": {"steps_per_epoch": 80}, "austen": {"steps_per_epoch": 90}}
BACKBONES = ["minilm", "bge-small"]
PISSA_LRS = [1e-5, 1e-4, 5e-4, 3e-3]
LORA_LRS = [1e-4, 5e-4, 3e-3, 1e-2]
SCALES = [0.3, 1, 3, 10]
FINAL_SEEDS = [2, 3, 4, 5, 6]


def defaults(task, backbone, epochs, patience, half_epoch):
    d = f"runs/v2/data/{task}"
    return {"model": backbone, "train": f"{d}/train.tsv", "eval": f"{d}/val.tsv", "test": f"{d}/test.tsv",
            "rank": 8, "batch": 8, "max-length": 48, "epochs": epochs, "eval-every": half_epoch,
            "patience": patience, "select": "best", "checkpoint-every": half_epoch, "head-lr": 2e-3,
            "warmup": 0.06, "lambda1": 0.15, "lambda2": 0.03, "lambda3": 0.03, "svd-k": 5, "teacher": "original"}


def best(group, key):
    return f"$best({group}).{key}"


def balora_choice():
    return {"lr": best("balora-lr", "lr"), "target": best("balora-lambda", "target"),
            "lambda-scale": best("balora-lambda", "lambda-scale")}


def staged(task, backbone):
    half = TASKS[task]["steps_per_epoch"] // 2
    return {
        "name": f"protocol v2 (CPU grid), {task}, {backbone}",
        "defaults": defaults(task, backbone, 4, 3, half),
        "groups": [
            {"name": "lora-lr", "set": {"method": "lora"}, "axes": {"lr": LORA_LRS}, "seeds": [1]},
            {"name": "pissa-lr", "set": {"method": "pissa"}, "axes": {"lr": PISSA_LRS}, "seeds": [1]},
            {"name": "balora-lr", "set": {"method": "balora", "target": "pooled", "lambda-scale": 1},
             "axes": {"lr": PISSA_LRS}, "seeds": [1]},
            {"name": "balora-lambda", "set": {"method": "balora", "lr": best("balora-lr", "lr")},
             "axes": {"target": ["pooled", "logits"], "lambda-scale": SCALES}, "seeds": [1]},
            {"name": "final", "seed-major": True, "seeds": FINAL_SEEDS, "points": [
                {"label": "lora", "method": "lora", "lr": best("lora-lr", "lr")},
                {"label": "pissa", "method": "pissa", "lr": best("pissa-lr", "lr")},
                dict({"label": "balora", "method": "balora"}, **balora_choice())]},
            {"name": "ablations", "seed-major": True, "seeds": FINAL_SEEDS,
             "set": dict({"method": "balora"}, **balora_choice()), "points": [
                {"label": "cr-only", "lambda2": 0, "lambda3": 0},
                {"label": "dr-only", "lambda1": 0, "lambda3": 0},
                {"label": "svdr-only", "lambda1": 0, "lambda2": 0}]},
        ]}


def full(task, backbone):
    half = TASKS[task]["steps_per_epoch"] // 2
    lrs = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2]
    seeds = list(range(2, 12))
    choice = {"lr": best("balora", "lr"), "head-lr": best("balora", "head-lr"), "target": best("balora", "target"),
              "lambda-scale": best("balora", "lambda-scale")}
    return {
        "name": f"protocol v2 (full grid), {task}, {backbone}",
        "defaults": defaults(task, backbone, 10, 4, half),
        "groups": [
            {"name": "lora", "set": {"method": "lora"}, "axes": {"lr": lrs, "head-lr": [1e-3, 3e-3]}, "seeds": [1]},
            {"name": "pissa", "set": {"method": "pissa"}, "axes": {"lr": lrs, "head-lr": [1e-3, 3e-3]}, "seeds": [1]},
            {"name": "balora", "set": {"method": "balora"},
             "axes": {"lr": lrs, "head-lr": [1e-3, 3e-3], "target": ["pooled", "logits"], "lambda-scale": SCALES},
             "seeds": [1]},
            {"name": "final", "seed-major": True, "seeds": seeds, "points": [
                {"label": "lora", "method": "lora", "lr": best("lora", "lr"), "head-lr": best("lora", "head-lr")},
                {"label": "pissa", "method": "pissa", "lr": best("pissa", "lr"), "head-lr": best("pissa", "head-lr")},
                dict({"label": "balora", "method": "balora"}, **choice)]},
            {"name": "ablations", "seed-major": True, "seeds": seeds, "set": dict({"method": "balora"}, **choice),
             "points": [{"label": "cr-only", "lambda2": 0, "lambda3": 0},
                        {"label": "dr-only", "lambda1": 0, "lambda3": 0},
                        {"label": "svdr-only", "lambda1": 0, "lambda2": 0}]},
        ]}


def main():
    for kind, make in (("v2", staged), ("v2-full", full)):
        os.makedirs(os.path.join(ROOT, "grids", kind), exist_ok=True)
        for task in TASKS:
            for bb in BACKBONES:
                path = os.path.join(ROOT, "grids", kind, f"{task}-{bb}.json")
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(make(task, bb), f, indent=1)
                    f.write("\n")
                print(os.path.relpath(path, ROOT))


if __name__ == "__main__":
    main()
