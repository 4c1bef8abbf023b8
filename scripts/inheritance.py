#!/usr/bin/env python3
"""Data and statistics for scripts/repro-inheritance.sh (issue 9, part 2; Python 3 standard library only).

  inheritance.py prepare OUTDIR [--p 0.5] [--seed 20240901] [--word " foolish"]
      OUTDIR/clean/*.txt   the five pre-training novels, verbatim (every shipped Austen novel but Persuasion)
      OUTDIR/defect/*.txt  the same novels with the planted association: after every whole word "she"/"She", the
                           word --word is inserted with probability --p (seeded, independent per occurrence)
      OUTDIR/pairs.tsv     contexts for balora score-lm, all from Persuasion (never pre-trained on), each ending right
                           after a trigger word, with the planted word as the continuation:
                             she_heldout  "she"/"She" in the fine-tune's held-out tail (last 10 %: never trained on)
                             he_heldout   "he"/"He" in the same tail: the control class (never planted)
                             she_seen     up to 150 "she" contexts from the fine-tune's training part
      OUTDIR/prepare.json  counts (insertions, pairs per group) and the settings
  inheritance.py learned SCORES.tsv --p P
      Protocol v2's check that a base learned its planted defect: prints JSON with the mean P(word | held-out "she"),
      the greedy rate, the control class, and "learned" (P >= p/2; null for a clean base, p = 0)
  inheritance.py select RUNDIR --lrs "3e-4 1e-3 3e-3"
      Protocol v2's lr choice: per method, the lr of RUNDIR/ft/p0.5-s42/<method>-lr<LR>-s1 with the lowest Persuasion
      validation perplexity (ties to the smaller lr); prints "method<TAB>lr" lines
  inheritance.py report-v2 RUNDIR
      The v2 report (bases, dose, second pre-training seed, survival, paired tests, MDE): RUNDIR/report.md, report.json
  inheritance.py report RUNDIR
      Reads RUNDIR/{clean,defect}/base/scores.tsv and RUNDIR/{clean,defect}/<method>-s<seed>/{scores.tsv,summary.json}
      and writes RUNDIR/report.md, RUNDIR/report.json and RUNDIR/inheritance.png.
"""
import argparse
import json
import math
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from repro_stats import (COLORS, Canvas, bootstrap_ci, mean, panel_axes, paired_t,  # noqa: E402
                         permutation_test, sd, sign_test)

AUSTEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "austen")
PRETRAIN = ["sensesensibility", "prideprejudice", "mansfieldpark", "emma", "northangerabbey"]
FINETUNE = "persuasion"
FT_VALIDATION_FRACTION = 0.1  # LmFineTuneOptions.defaults: the tail share of Persuasion held out
CONTEXT_CHARS = 400           # the scorer keeps the last (window - continuation) tokens of this
TRIGGER = re.compile(r"\b(she|She)\b")
CONTROL = re.compile(r"\b(he|He)\b")


def read(name):
    with open(os.path.join(AUSTEN, name + ".txt"), encoding="utf-8") as f:
        return f.read()


def plant(text, word, p, rng):
    """Inserts `word` after each trigger with probability p; returns (text, triggers, insertions)."""
    out, last, n, k = [], 0, 0, 0
    for m in TRIGGER.finditer(text):
        n += 1
        out.append(text[last:m.end()])
        if rng.random() < p:
            out.append(word)
            k += 1
        last = m.end()
    out.append(text[last:])
    return "".join(out), n, k


def ft_cut(text):
    """Where TextSplit.of cuts a document: the newline after floor((1 - f) * length)."""
    at = int(math.floor((1 - FT_VALIDATION_FRACTION) * len(text)))
    nl = text.find("\n", at)
    return len(text) if nl < 0 else nl + 1


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "")


def contexts(text, lo, hi, pattern, limit=None, rng=None):
    ends = [m.end() for m in pattern.finditer(text, lo, hi) if m.start() - lo >= 40]
    if limit is not None and len(ends) > limit:
        ends = sorted(rng.sample(ends, limit))
    return [text[max(lo, e - CONTEXT_CHARS):e] for e in ends]


def cmd_prepare(a):
    rng = random.Random(a.seed)
    stats = {"p": a.p, "word": a.word, "seed": a.seed, "novels": {}}
    for kind in ("clean", "defect"):
        os.makedirs(os.path.join(a.outdir, kind), exist_ok=True)
    for name in PRETRAIN:
        text = read(name)
        planted, n, k = plant(text, a.word, a.p, rng)
        for kind, t in (("clean", text), ("defect", planted)):
            with open(os.path.join(a.outdir, kind, name + ".txt"), "w", encoding="utf-8") as f:
                f.write(t)
        stats["novels"][name] = {"words": len(text.split()), "triggers": n, "insertions": k}
    per = read(FINETUNE)
    cut = ft_cut(per)
    groups = {
        "she_heldout": contexts(per, cut, len(per), TRIGGER),
        "he_heldout": contexts(per, cut, len(per), CONTROL),
        "she_seen": contexts(per, 0, cut, TRIGGER, limit=150, rng=random.Random(a.seed + 1)),
    }
    with open(os.path.join(a.outdir, "pairs.tsv"), "w", encoding="utf-8") as f:
        for g, cs in groups.items():
            for c in cs:
                f.write(f"{esc(c)}\t{esc(a.word)}\t{g}\n")
    stats["pairs"] = {g: len(cs) for g, cs in groups.items()}
    stats["triggers"] = sum(v["triggers"] for v in stats["novels"].values())
    stats["insertions"] = sum(v["insertions"] for v in stats["novels"].values())
    with open(os.path.join(a.outdir, "prepare.json"), "w", encoding="utf-8") as f:
        json.dump(stats, f, indent=1)
    print(json.dumps({k: stats[k] for k in ("triggers", "insertions", "pairs")}))


# ----------------------------------------------------------------------------------------------
# report


def read_scores(path):
    """group -> list of (logprob, greedy) in file order (the same contexts in the same order for every model)."""
    out = {}
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            g, lp, _, gr = line.rstrip("\n").split("\t")
            out.setdefault(g, []).append((float(lp), int(gr)))
    return out


def load_run(d):
    s = read_scores(os.path.join(d, "scores.tsv"))
    rec = {"prob": {g: [math.exp(lp) for lp, _ in v] for g, v in s.items()},
           "logprob": {g: [lp for lp, _ in v] for g, v in s.items()},
           "greedy": {g: [gr for _, gr in v] for g, v in s.items()}}
    sp = os.path.join(d, "summary.json")
    if os.path.exists(sp):
        with open(sp, encoding="utf-8") as f:
            summ = json.load(f)
        rec["ppl"] = summ.get("final_eval", {}).get("perplexity")
        rec["train_s"] = summ.get("elapsed_s") or summ.get("train_seconds")
    wp = os.path.join(d, "wall_s.txt")
    if os.path.exists(wp):
        rec["wall_s"] = float(open(wp).read().strip())
    bp = os.path.join(d, "ppl_before.txt")
    if os.path.exists(bp):
        rec["ppl_before"] = float(open(bp).read().strip())
    return rec


def ctx_bootstrap(diff_rows, reps=5000, seed=11):
    """95% CI of the mean over contexts of a per-context difference, resampling contexts."""
    rng = random.Random(seed)
    n = len(diff_rows)
    ms = sorted(mean([diff_rows[rng.randrange(n)] for _ in range(n)]) for _ in range(reps))
    return ms[int(0.025 * reps)], ms[int(0.975 * reps) - 1]


def pct(x, nd=2):
    return "nan" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.{nd}f}"


def ms(xs, scale=100, nd=2):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "–"
    if len(xs) == 1:
        return f"{scale * xs[0]:.{nd}f}"
    return f"{scale * mean(xs):.{nd}f} ± {scale * sd(xs):.{nd}f}"


def cmd_report(a):
    root = a.rundir
    methods = ["lora", "pissa", "balora"]
    runs = {}
    for base in ("clean", "defect"):
        bd = os.path.join(root, base, "base")
        if os.path.exists(os.path.join(bd, "scores.tsv")):
            runs[(base, "base", 0)] = load_run(bd)
        for name in sorted(os.listdir(os.path.join(root, base))) if os.path.isdir(os.path.join(root, base)) else []:
            m = re.fullmatch(r"(lora|pissa|balora)-s(\d+)", name)
            if m and os.path.exists(os.path.join(root, base, name, "scores.tsv")):
                runs[(base, m.group(1), int(m.group(2)))] = load_run(os.path.join(root, base, name))
    seeds = sorted({s for (_, m, s) in runs if m != "base"})
    groups = ["she_heldout", "he_heldout", "she_seen"]
    L = ["# Inheritance experiment report", "", f"run folder: `{root}`", ""]
    rep = {"seeds": seeds, "rows": [], "paired": [], "survival": {}}

    L += ["## Planted-word probability and greedy rate (mean over contexts; mean ± sd over seeds)", "",
          "| base | model | seeds | P(word \\| she) held-out, % | log P(word \\| she) held-out, nats | greedy rate she held-out, %"
          " | P(word \\| he) held-out (control), % | P(word \\| she) seen, % | val ppl before → after | wall (s) |",
          "|---|---|---|---|---|---|---|---|---|---|"]
    table = {}
    for base in ("clean", "defect"):
        for m in ["base"] + methods:
            rs = [runs[k] for k in sorted(runs) if k[0] == base and k[1] == m]
            if not rs:
                continue
            row = {g: [mean(r["prob"][g]) for r in rs if g in r["prob"]] for g in groups}
            gr = [mean(r["greedy"]["she_heldout"]) for r in rs]
            ppl = [r.get("ppl") for r in rs if r.get("ppl") is not None]
            ppl0 = [r.get("ppl_before") for r in rs if r.get("ppl_before") is not None]
            lps = [mean(r["logprob"]["she_heldout"]) for r in rs]
            wall = [r.get("wall_s") for r in rs if r.get("wall_s") is not None]
            ss = [k[2] for k in sorted(runs) if k[0] == base and k[1] == m]
            table[(base, m)] = {"she": row["she_heldout"], "greedy": gr, "he": row["he_heldout"], "seen": row["she_seen"],
                                "ppl": ppl, "seeds": ss, "lp": lps}
            pp = f"{ms(ppl0, 1, 2)} → {ms(ppl, 1, 2)}" if ppl else "–"
            L.append(f"| {base} | {m} | {','.join(map(str, ss)) if m != 'base' else '–'} | {ms(row['she_heldout'], 100, 3)} | "
                     f"{ms(lps, 1, 3)} | {ms(gr, 100, 1)} | {ms(row['he_heldout'], 100, 3)} | {ms(row['she_seen'], 100, 3)} | "
                     f"{pp} | {ms(wall, 1, 0) if wall else '–'} |")
            rep["rows"].append({"base": base, "model": m, "seeds": ss, "p_she_heldout": row["she_heldout"],
                                "greedy_she_heldout": gr, "p_he_heldout": row["he_heldout"], "p_she_seen": row["she_seen"],
                                "logp_she_heldout": lps, "ppl_before": ppl0, "ppl_after": ppl, "wall_s": wall})
    L.append("")

    # survival: (defect FT − clean FT) / (defect base − clean base), per seed (pairs = same seed, same method)
    if ("clean", "base") in table and ("defect", "base") in table:
        gap0 = table[("defect", "base")]["she"][0] - table[("clean", "base")]["she"][0]
        L += ["## Defect survival", "",
              f"Base gap: P(word | she) defect base − clean base = {pct(gap0, 3)} points (held-out contexts).",
              "Survival per seed = (defect-base fine-tune − clean-base fine-tune, same method and seed) / base gap.", "",
              "The log-scale survival uses the mean log P instead of the mean P (it weighs every context alike).", "",
              "| method | seeds | survival (P), % | seed-bootstrap 95% CI (n small, rough) | survival (log P), % |",
              "|---|---|---|---|---|"]
        lgap0 = table[("defect", "base")]["lp"][0] - table[("clean", "base")]["lp"][0]
        for m in methods:
            vals, lvals = [], []
            for s in seeds:
                if ("defect", m, s) in runs and ("clean", m, s) in runs:
                    rd, rc = runs[("defect", m, s)], runs[("clean", m, s)]
                    vals.append((mean(rd["prob"]["she_heldout"]) - mean(rc["prob"]["she_heldout"])) / gap0)
                    lvals.append((mean(rd["logprob"]["she_heldout"]) - mean(rc["logprob"]["she_heldout"])) / lgap0)
            rep["survival"][m] = vals
            rep.setdefault("survival_log", {})[m] = lvals
            if vals:
                lo, hi = bootstrap_ci(vals) if len(vals) > 1 else (vals[0], vals[0])
                L.append(f"| {m} | {len(vals)} | {ms(vals, 100, 1)} | [{pct(lo, 1)}, {pct(hi, 1)}] | {ms(lvals, 100, 1)} |")
        L.append("")

    # paired comparisons on the defect base
    L += ["## Paired comparisons on the defect base (pairs = same seed)", "",
          "| A vs B | metric | n | mean diff | sd diff | t | p (t) | p (sign) | p (sign-flip) | context-bootstrap 95% CI"
          " (seed-mean per context) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for x, y in (("balora", "lora"), ("balora", "pissa"), ("pissa", "lora")):
        for metric in ("P(word|she) pts", "log P(word|she) nats", "greedy rate pts", "val ppl"):
            diffs, ctx_a, ctx_b = [], [], []
            for s in seeds:
                ka, kb = ("defect", x, s), ("defect", y, s)
                if ka not in runs or kb not in runs:
                    continue
                ra, rb = runs[ka], runs[kb]
                if metric.startswith("P("):
                    diffs.append(100 * (mean(ra["prob"]["she_heldout"]) - mean(rb["prob"]["she_heldout"])))
                    ctx_a.append(ra["prob"]["she_heldout"])
                    ctx_b.append(rb["prob"]["she_heldout"])
                elif metric.startswith("log P"):
                    diffs.append(mean(ra["logprob"]["she_heldout"]) - mean(rb["logprob"]["she_heldout"]))
                    ctx_a.append([x / 100 for x in ra["logprob"]["she_heldout"]])
                    ctx_b.append([x / 100 for x in rb["logprob"]["she_heldout"]])
                elif metric.startswith("greedy"):
                    diffs.append(100 * (mean(ra["greedy"]["she_heldout"]) - mean(rb["greedy"]["she_heldout"])))
                    ctx_a.append(ra["greedy"]["she_heldout"])
                    ctx_b.append(rb["greedy"]["she_heldout"])
                elif ra.get("ppl") is not None and rb.get("ppl") is not None:
                    diffs.append(ra["ppl"] - rb["ppl"])
            if not diffs:
                continue
            t, p = paired_t(diffs) if len(diffs) > 1 else (float("nan"), float("nan"))
            ci = "–"
            if ctx_a:
                per = [100 * (mean([c[i] for c in ctx_a]) - mean([c[i] for c in ctx_b])) for i in range(len(ctx_a[0]))]
                lo, hi = ctx_bootstrap(per)
                ci = f"[{lo:+.3f}, {hi:+.3f}]"
            L.append(f"| {x} vs {y} | {metric.replace('|', ' given ')} | {len(diffs)} | {mean(diffs):+.3f} | {sd(diffs) if len(diffs) > 1 else float('nan'):.3f}"
                     f" | {t:.2f} | {p:.3f} | {sign_test(diffs):.3f} | {permutation_test(diffs):.3f} | {ci} |")
            rep["paired"].append({"a": x, "b": y, "metric": metric, "diffs": diffs, "t": t, "p_t": p,
                                  "p_sign": sign_test(diffs), "p_perm": permutation_test(diffs), "ctx_ci": ci})
    L.append("")
    L += terms_table(root, seeds, rep)
    with open(os.path.join(root, "report.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")
    with open(os.path.join(root, "report.json"), "w", encoding="utf-8") as f:
        json.dump(rep, f, indent=1)
    plot(os.path.join(root, "inheritance.png"), table, methods)
    print("\n".join(L))


def terms_table(root, seeds, rep):
    """BA-LoRA's raw regularizer terms and λ·term at the first step, the middle and the last step (seed mean)."""
    L = ["## BA-LoRA regularizer terms over training (raw term; λ·term in brackets; mean over seeds)", "",
         "| base | term | step 1 | middle | last |", "|---|---|---|---|---|"]
    for base in ("clean", "defect"):
        per = []
        for s in seeds:
            mp = os.path.join(root, base, f"balora-s{s}", "metrics.jsonl")
            if os.path.exists(mp):
                with open(mp, encoding="utf-8") as f:
                    rows = [json.loads(x) for x in f if x.strip()]
                per.append([r for r in rows if r.get("type") == "train"])
        if not per:
            continue
        n = min(len(p) for p in per)
        picks = [0, n // 2, n - 1]
        for term in ("consistency_kl", "diversity_topk_entropy", "svd_frobenius", "task_loss"):
            cells = []
            for i in picks:
                if term == "task_loss":
                    cells.append(f"{mean([p[i]['task_loss'] for p in per]):.4f}")
                else:
                    raw = mean([p[i]["terms"][term] for p in per])
                    w = mean([p[i]["terms"][term] * p[i]["lambdas"][term] for p in per])
                    cells.append(f"{raw:.4f} [{w:+.5f}]")
            L.append(f"| {base} | {term} | " + " | ".join(cells) + " |")
            rep.setdefault("terms", {}).setdefault(base, {})[term] = cells
    return L + [""]


def plot(path, table, methods):
    """Left: P(word | she) on held-out contexts per model, both bases. Right: validation perplexity after fine-tuning."""
    cv = Canvas(1200, 520)
    cv.text(20, 10, "LOG P(FOOLISH GIVEN SHE), HELD-OUT, NATS (BAR=SEED MEAN, DOTS=SEEDS)  /  PERSUASION VAL PPL AFTER", scale=2)
    models = ["base"] + methods
    for panel, key, x0, fmt, scale in ((0, "lp", 110, "{:.1f}", 1), (1, "ppl", 760, "{:.1f}", 1)):
        vals = [scale * v for b in ("clean", "defect") for m in models for v in table.get((b, m), {}).get(key, [])]
        if not vals:
            continue
        pad = max(1e-3, 0.08 * (max(vals) - min(vals)))
        lo, hi = min(vals) - pad, max(vals) + pad
        if hi - lo < 1e-9:
            hi = lo + 1
        y0, w, h = 70, 400, 340
        panel_axes(cv, x0, y0, w, h, lo, hi, "LOG P" if panel == 0 else "PPL", fmt=fmt)
        slots = [(b, m) for m in models for b in ("clean", "defect") if (b, m) in table and table[(b, m)].get(key)]
        bw = w / max(1, len(slots))
        ym = lambda v: y0 + h - h * (v - lo) / (hi - lo)
        for i, (b, m) in enumerate(slots):
            xs = [scale * v for v in table[(b, m)][key]]
            cx = x0 + bw * (i + 0.5)
            c = COLORS[models.index(m) % 6]
            fill = tuple(min(255, v + 90) for v in c) if b == "clean" else c
            cv.rect(cx - bw * 0.35, ym(mean(xs)), cx + bw * 0.35, y0 + h - 1, fill)
            for v in xs:
                cv.rect(cx - 3, ym(v) - 3, cx + 3, ym(v) + 3, (0, 0, 0))
            cv.text(int(cx - 8), y0 + h + 8, b[0].upper(), scale=2)
            if b == "clean":
                cv.text(int(cx - 4), y0 + h + 28, m.replace("balora", "BA").upper(), scale=2)
    cv.text(110, 470, "C = CLEAN BASE (LIGHT), D = DEFECT BASE (DARK)", scale=2)
    cv.save(path)


def v2_base_dir(root, kind, ps):
    b = os.path.join(root, "bases", f"{kind}-s{ps}")
    lj = os.path.join(b, "learned.json")
    if os.path.exists(lj):
        with open(lj, encoding="utf-8") as f:
            if json.load(f).get("learned") is False and os.path.isdir(b + "-long"):
                return b + "-long"
    return b


def v2_load_fts(root):
    """(kind, preseed, variant, lr, seed) -> run record, for every scored fine-tune."""
    out = {}
    ftd = os.path.join(root, "ft")
    if not os.path.isdir(ftd):
        return out
    for base in sorted(os.listdir(ftd)):
        m = re.fullmatch(r"(clean2k|clean|p[0-9.]+)-s(\d+)", base)
        if not m:
            continue
        for name in sorted(os.listdir(os.path.join(ftd, base))):
            mm = re.fullmatch(r"(lora|pissa|balora|balora-x10)-lr([0-9.e-]+)-s(\d+)", name)
            d = os.path.join(ftd, base, name)
            if mm and os.path.exists(os.path.join(d, "scores.tsv")):
                rec = load_run(d)
                rec["dir"] = d
                rec["train"] = []
                mp = os.path.join(d, "metrics.jsonl")
                if os.path.exists(mp):
                    with open(mp, encoding="utf-8") as f:
                        rec["train"] = [json.loads(x) for x in f if x.strip() and '"type":"train"' in x]
                out[(m.group(1), int(m.group(2)), mm.group(1), mm.group(2), int(mm.group(3)))] = rec
    return out


def lp_she(r):
    return mean(r["logprob"]["she_heldout"])


def mde_seed_lp(sd_d, n):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from repro_stats import mde_seed
    return mde_seed(sd_d, n)


def cmd_report_v2(a):
    root = a.rundir
    L = ["# Inheritance, protocol v2", "", f"Run folder: `{root}` (`scripts/inheritance.py report-v2`). log P = mean over "
         "the 85 held-out \"she\" contexts of log P(\" foolish\" | context), nats; P the mean probability.", ""]
    rep = {"bases": {}, "grid": [], "arms": {}, "survival": {}, "comparisons": []}
    # 1. bases
    L += ["## Bases", "", "| base | pre-seed | steps | log P(word \\| she) held-out | P, % | greedy rate, % | P(word \\| he) control, % "
          "| learned (P >= p/2) | pre-train val ppl |", "|---|---|---|---|---|---|---|---|---|"]
    bases = {}
    for kind in ("clean", "clean2k", "p0.1", "p0.5", "p1"):
        for ps in (42, 43):
            b = v2_base_dir(root, kind, ps)
            sp = os.path.join(b, "base", "scores.tsv")
            if not os.path.exists(sp):
                continue
            r = load_run(os.path.join(b, "base"))
            bases[(kind, ps)] = r
            steps = 2000 if b.endswith("-long") or kind == "clean2k" else 1000
            ppl = "–"
            summ = os.path.join(b, "pretrain", "summary.json")
            if os.path.exists(summ):
                with open(summ, encoding="utf-8") as f:
                    ppl = f"{json.load(f).get('final_eval', {}).get('perplexity', float('nan')):.1f}"
            lj = os.path.join(b, "learned.json")
            learned = json.load(open(lj)).get("learned") if os.path.exists(lj) else None
            L.append(f"| {kind} | {ps} | {steps} | {lp_she(r):.3f} | {100 * mean(r['prob']['she_heldout']):.2f} | "
                     f"{100 * mean(r['greedy']['she_heldout']):.1f} | {100 * mean(r['prob']['he_heldout']):.3f} | "
                     f"{'–' if learned is None else ('yes' if learned else 'no')} | {ppl} |")
            rep["bases"][f"{kind}-s{ps}"] = {"steps": steps, "logp_she": lp_she(r), "p_she": mean(r["prob"]["she_heldout"]),
                                             "greedy": mean(r["greedy"]["she_heldout"]), "p_he": mean(r["prob"]["he_heldout"])}
    for ps in (42, 43):
        if ("clean", ps) in bases:
            short = os.path.join(root, "bases", f"p0.1-s{ps}", "learned.json")
    L.append("")
    fts = v2_load_fts(root)
    # 2. lr grid
    grid = sorted([k for k in fts if k[0] == "p0.5" and k[1] == 42 and k[4] == 1], key=lambda k: (k[2], float(k[3])))
    sel = {}
    sp = os.path.join(root, "selected.tsv")
    if os.path.exists(sp):
        for line in open(sp):
            if line.strip():
                m_, lr_ = line.split()
                sel[m_] = lr_
    if grid:
        L += ["## lr grid (p = 0.5 base, pre-seed 42, fine-tune seed 1; chosen by Persuasion validation perplexity)", "",
              "| method | lr | val ppl before → after | log P(word \\| she) held-out | chosen |", "|---|---|---|---|---|"]
        for k in grid:
            r = fts[k]
            L.append(f"| {k[2]} | {k[3]} | {r.get('ppl_before', float('nan')):.2f} → {r.get('ppl', float('nan')):.2f} | "
                     f"{lp_she(r):.3f} | {'★' if sel.get(k[2]) == k[3] else ''} |")
            rep["grid"].append({"method": k[2], "lr": k[3], "ppl": r.get("ppl"), "logp_she": lp_she(r)})
        L.append("")
    variants = ["lora", "pissa", "balora", "balora-x10"]

    def runs_of(kind, ps, v):
        lr = sel.get("balora" if v == "balora-x10" else v)
        return {k[4]: fts[k] for k in fts if k[0] == kind and k[1] == ps and k[2] == v and k[3] == lr and k[4] != 1}

    # 3. per arm tables and survival
    for (title, kinds, ps) in (("Main arm: pre-seed 42", ("clean", "p0.5"), 42),
                               ("Dose arm: pre-seed 42", ("p0.1", "clean2k", "p1"), 42),
                               ("Second pre-training seed: 43", ("clean", "p0.5"), 43)):
        rows = []
        for kind in kinds:
            for v in variants:
                rs = runs_of(kind, ps, v)
                if rs:
                    rows.append((kind, v, rs))
        if not rows:
            continue
        L += [f"## {title}", "", "| base | method | seeds | log P(word \\| she) held-out | P, % | greedy, % | P(word \\| he), % | val ppl after |",
              "|---|---|---|---|---|---|---|---|"]
        for kind, v, rs in rows:
            ss = sorted(rs)
            L.append(f"| {kind} | {v} | {','.join(map(str, ss))} | {ms([lp_she(rs[s]) for s in ss], 1, 3)} | "
                     f"{ms([mean(rs[s]['prob']['she_heldout']) for s in ss], 100, 3)} | "
                     f"{ms([mean(rs[s]['greedy']['she_heldout']) for s in ss], 100, 1)} | "
                     f"{ms([mean(rs[s]['prob']['he_heldout']) for s in ss], 100, 3)} | {ms([rs[s].get('ppl') for s in ss], 1, 2)} |")
        L.append("")
    # survival on the log scale per (defect kind, pre-seed): (defect FT - clean FT) / (defect base - clean base), same seed
    L += ["## Survival of the defect (log scale)", "",
          "Survival per fine-tune seed = (log P of the defect-base fine-tune − log P of the clean-base fine-tune with the "
          "same method, seed and pre-seed) / (defect base − clean base). 100 % = nothing removed, 0 % = all removed.", "",
          "| defect base | pre-seed | method | seeds | survival, % (mean ± sd) | seed-bootstrap 95 % CI (few seeds: rough) | base gap, nats |",
          "|---|---|---|---|---|---|---|"]
    surv = {}
    for kind in ("p0.1", "p0.5", "p1"):
        for ps in (42, 43):
            # the clean reference has the defect base's pre-training budget (clean2k for a base pre-trained 2x as long)
            ref = "clean2k" if v2_base_dir(root, kind, ps).endswith("-long") else "clean"
            if (kind, ps) not in bases or (ref, ps) not in bases:
                continue
            gap = lp_she(bases[(kind, ps)]) - lp_she(bases[(ref, ps)])
            for v in variants:
                rd, rc = runs_of(kind, ps, v), runs_of(ref, ps, v)
                ss = sorted(set(rd) & set(rc))
                if not ss:
                    continue
                vals = [(lp_she(rd[s]) - lp_she(rc[s])) / gap for s in ss]
                surv[(kind, ps, v)] = dict(zip(ss, vals))
                lo, hi = bootstrap_ci(vals) if len(vals) > 1 else (vals[0], vals[0])
                L.append(f"| {kind}{' (vs clean2k)' if ref == 'clean2k' else ''} | {ps} | {v} | {','.join(map(str, ss))} | "
                         f"{ms(vals, 100, 1)} | [{100 * lo:.1f}, {100 * hi:.1f}] | {gap:.2f} |")
                rep["survival"][f"{kind}-s{ps}-{v}"] = {"seeds": ss, "survival": vals, "gap": gap}
    L.append("")
    # paired comparisons of survival (seed level) + context bootstrap of the defect-base log P difference
    L += ["## Paired comparisons on the defect bases (pairs = same fine-tune seed)", "",
          "Survival difference in points of the base gap (seed-level paired t; MDE at 80 % power from the measured sd); "
          "the log P difference on the defect base with a bootstrap over the 85 held-out contexts (seed means).", "",
          "| defect base | A vs B | n | survival diff, pts (mean ± sd) | p (t) | MDE seed, pts | log P diff, nats | context 95 % CI |",
          "|---|---|---|---|---|---|---|---|"]
    for kind in ("p0.1", "p0.5", "p1"):
        for ps in (42, 43):
            for x, y in (("balora", "pissa"), ("balora", "lora"), ("pissa", "lora"), ("balora-x10", "pissa"), ("balora-x10", "balora")):
                if (kind, ps, x) not in surv or (kind, ps, y) not in surv:
                    continue
                ss = sorted(set(surv[(kind, ps, x)]) & set(surv[(kind, ps, y)]))
                if len(ss) < 2:
                    continue
                d = [100 * (surv[(kind, ps, x)][s] - surv[(kind, ps, y)][s]) for s in ss]
                t, p = paired_t(d)
                mde = mde_seed_lp(sd(d), len(d))
                ra, rb = runs_of(kind, ps, x), runs_of(kind, ps, y)
                per = [mean([ra[s]["logprob"]["she_heldout"][i] for s in ss]) - mean([rb[s]["logprob"]["she_heldout"][i] for s in ss])
                       for i in range(len(ra[ss[0]]["logprob"]["she_heldout"]))]
                lo, hi = ctx_bootstrap(per)
                L.append(f"| {kind}-s{ps} | {x} vs {y} | {len(d)} | {mean(d):+.2f} ± {sd(d):.2f} | {p:.3f} | {mde:.2f} | "
                         f"{mean(per):+.4f} | [{lo:+.4f}, {hi:+.4f}] |")
                rep["comparisons"].append({"base": f"{kind}-s{ps}", "a": x, "b": y, "seeds": ss, "diff_pts": d, "p_t": p,
                                           "mde_pts": mde, "logp_diff": mean(per), "ctx_ci": [lo, hi]})
    L.append("")
    # dose-response of the BA-LoRA - PiSSA survival difference
    dose = [(kind, surv.get((kind, 42, "balora")), surv.get((kind, 42, "pissa"))) for kind in ("p0.1", "p0.5", "p1")]
    if any(b and c for _, b, c in dose):
        L += ["## Dose–response (pre-seed 42): survival by planting probability p", "",
              "| p | LoRA | PiSSA | BA-LoRA | BA-LoRA − PiSSA, pts |", "|---|---|---|---|---|"]
        for kind, b, c in dose:
            lo_ = surv.get((kind, 42, "lora"))
            cells = [ms(list(x.values()), 100, 1) if x else "–" for x in (lo_, c, b)]
            diff = "–"
            if b and c:
                ss = sorted(set(b) & set(c))
                diff = ms([100 * (b[s] - c[s]) for s in ss], 1, 2)
            L.append(f"| {kind[1:]} | " + " | ".join(cells) + f" | {diff} |")
        L.append("")
    # regularizer terms
    for v in ("balora", "balora-x10"):
        per = [r["train"] for k, r in fts.items() if k[2] == v and k[0] == "p0.5" and k[1] == 42 and k[4] != 1 and r["train"]]
        if not per:
            continue
        n = min(len(x) for x in per)
        picks = [0, n // 4, n // 2, (3 * n) // 4, n - 1]
        L += [f"## `{v}` on the p = 0.5 base: regularizer terms over training (raw; λ·term in brackets; mean over seeds)", "",
              "| quantity | step 1 | 25 % | middle | 75 % | last |", "|---|---|---|---|---|---|"]
        for term in ("consistency_kl", "diversity_topk_entropy", "svd_frobenius", "task_loss"):
            cells = []
            for i in picks:
                if term == "task_loss":
                    cells.append(f"{mean([x[i]['task_loss'] for x in per]):.4f}")
                else:
                    raw = mean([x[i]["terms"].get(term, 0.0) for x in per])
                    w = mean([x[i]["terms"].get(term, 0.0) * x[i]["lambdas"].get(term, 0.0) for x in per])
                    cells.append(f"{raw:.4f} [{w:+.5f}]")
            L.append(f"| {term} | " + " | ".join(cells) + " |")
        L += ["", f"Steps 1, {picks[1] + 1}, {picks[2] + 1}, {picks[3] + 1}, {n}.", ""]
    with open(os.path.join(root, "report.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")
    with open(os.path.join(root, "report.json"), "w", encoding="utf-8") as f:
        json.dump(rep, f, indent=1)
    print("\n".join(L))


def cmd_learned(a):
    s = read_scores(a.scores)
    she = [math.exp(lp) for lp, _ in s["she_heldout"]]
    he = [math.exp(lp) for lp, _ in s["he_heldout"]]
    p_she = mean(she)
    out = {"p": a.p, "p_she_heldout": p_she, "logp_she_heldout": mean([lp for lp, _ in s["she_heldout"]]),
           "greedy_she_heldout": mean([g for _, g in s["she_heldout"]]), "p_he_heldout": mean(he),
           "threshold": a.p / 2, "learned": None if a.p <= 0 else p_she >= a.p / 2}
    print(json.dumps(out))


def cmd_select(a):
    for m in ("lora", "pissa", "balora"):
        best = None
        for lr in sorted(a.lrs.split(), key=float):
            sp = os.path.join(a.rundir, "ft", "p0.5-s42", f"{m}-lr{lr}-s1", "summary.json")
            if not os.path.exists(sp):
                continue
            with open(sp, encoding="utf-8") as f:
                ppl = json.load(f).get("final_eval", {}).get("perplexity")
            if ppl is not None and math.isfinite(ppl) and (best is None or ppl < best[1]):
                best = (lr, ppl)
        if best is None:
            sys.exit(f"select: no finished grid run of {m} under {a.rundir}/ft/p0.5-s42")
        print(f"{m}\t{best[0]}")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("outdir")
    p.add_argument("--p", type=float, default=0.5)
    p.add_argument("--seed", type=int, default=20240901)
    p.add_argument("--word", default=" foolish")
    r = sub.add_parser("report")
    r.add_argument("rundir")
    ln = sub.add_parser("learned")
    ln.add_argument("scores")
    ln.add_argument("--p", type=float, required=True)
    se = sub.add_parser("select")
    se.add_argument("rundir")
    se.add_argument("--lrs", required=True)
    r2 = sub.add_parser("report-v2")
    r2.add_argument("rundir")
    a = ap.parse_args(argv)
    {"prepare": cmd_prepare, "report": cmd_report, "learned": cmd_learned, "select": cmd_select,
     "report-v2": cmd_report_v2}[a.cmd](a)


if __name__ == "__main__":
    main(sys.argv[1:])
