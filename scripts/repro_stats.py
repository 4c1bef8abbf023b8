#!/usr/bin/env python3
"""Data splits and statistics for scripts/repro-nlu.sh (Python 3 standard library only).

  repro_stats.py split TRAIN.tsv TEST.tsv OUTDIR --n-train N --n-val N [--n-test N] [--seed S]
      Deterministic, stratified split of the shipped training file into OUTDIR/train.tsv and
      OUTDIR/val.tsv (disjoint), and OUTDIR/test.tsv (all test rows, or a stratified subset).
      Rows are copied verbatim (the shipped files keep one record per physical line, quotes included).
  repro_stats.py split-austen AUSTENDIR OUTDIR --n-train N --n-val N --n-test N [--seed S]
      Second task: which of Jane Austen's six novels a sentence comes from (6 balanced classes, chance = 1/6).
      Paragraphs are joined, split into sentences at . ! ? (a closing quote stays with its sentence), chapter and
      volume headings are dropped, italics underscores removed; only sentences of 12 to 40 words are kept. Each
      novel gives N/6 rows to each split (disjoint), drawn with a seeded shuffle; header "label<TAB>text", the
      text quoted RFC-4180 style (sentences contain quotes).
  repro_stats.py report RUNDIR
      Reads RUNDIR/<backbone>/runs/<variant>-lr<lr>-s<seed>/ (summary.json = validation, test_metrics.json and
      test_predictions.tsv = test, metrics.jsonl, settings.json) and RUNDIR/<backbone>/selected.tsv, and writes
      RUNDIR/report.md, RUNDIR/report.json and one PNG per backbone (RUNDIR/<backbone>.png): lr grid, test
      mean ± sd over seeds, paired tests over seeds, a paired bootstrap over test examples (seeds kept) and exact
      McNemar tests per seed and pooled, and the BA-LoRA terms over training.
"""
import argparse
import json
import math
import os
import random
import struct
import sys
import zlib

# ----------------------------------------------------------------------------------------------
# split


def read_rows(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline()
        rows = [line for line in f if line.strip()]
    return header, rows


def label_of(header, line):
    cols = header.rstrip("\n").split("\t")
    return line.split("\t", 1)[0] if cols[0] == "label" else line.rstrip("\n").split("\t")[cols.index("label")]


def stratified_take(header, rows, n, rng):
    """Picks n rows keeping the label proportions (largest-remainder rounding); returns (taken, rest)."""
    by = {}
    for i, r in enumerate(rows):
        by.setdefault(label_of(header, r), []).append(i)
    labels = sorted(by)
    quota = {l: n * len(by[l]) / len(rows) for l in labels}
    counts = {l: int(quota[l]) for l in labels}
    for l in sorted(labels, key=lambda l: quota[l] - counts[l], reverse=True)[: n - sum(counts.values())]:
        counts[l] += 1
    taken = set()
    for l in labels:
        idx = by[l][:]
        rng.shuffle(idx)
        taken.update(idx[: counts[l]])
    return [r for i, r in enumerate(rows) if i in taken], [r for i, r in enumerate(rows) if i not in taken]


def cmd_split(a):
    os.makedirs(a.outdir, exist_ok=True)
    header, rows = read_rows(a.train)
    rng = random.Random(a.seed)
    val, rest = stratified_take(header, rows, a.n_val, rng)
    train = rest if a.n_train <= 0 or a.n_train >= len(rest) else stratified_take(header, rest, a.n_train, rng)[0]
    theader, trows = read_rows(a.test)
    test = trows if a.n_test <= 0 or a.n_test >= len(trows) else stratified_take(theader, trows, a.n_test, rng)[0]
    for name, h, rs in (("train", header, train), ("val", header, val), ("test", theader, test)):
        with open(os.path.join(a.outdir, name + ".tsv"), "w", encoding="utf-8") as f:
            f.write(h)
            f.writelines(rs)
        counts = {}
        for r in rs:
            counts[label_of(h, r)] = counts.get(label_of(h, r), 0) + 1
        print(f"{name}: {len(rs)} rows {dict(sorted(counts.items()))}")


AUSTEN_NOVELS = ["emma", "mansfieldpark", "northangerabbey", "persuasion", "prideprejudice", "sensesensibility"]
AUSTEN_MIN_WORDS, AUSTEN_MAX_WORDS = 12, 40


def austen_sentences(path):
    """Sentences of one novel, in order: paragraphs (blank-line separated) joined, headings dropped."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    out = []
    for para in text.split("\n\n"):
        para = " ".join(para.split()).replace("_", "")
        if not para or para.isupper() or para.startswith(("CHAPTER", "Chapter", "VOLUME")):
            continue
        start = 0
        i = 0
        while i < len(para):
            if para[i] in ".!?":
                j = i + 1
                while j < len(para) and para[j] in "\"'”’)":
                    j += 1
                # a sentence ends at the mark when a space and a capital letter (or an opening quote) follow
                if j >= len(para) or (para[j] == " " and j + 1 < len(para) and (para[j + 1].isupper() or para[j + 1] in "\"'")):
                    out.append(para[start:j].strip())
                    start = j + 1
                    i = j
            i += 1
        if start < len(para):
            out.append(para[start:].strip())
    # abbreviations such as "Mr." and "Mrs." end no sentence: glue the piece to the next one
    merged = []
    for sent in out:
        if merged and merged[-1].split()[-1] in ("Mr.", "Mrs.", "Dr.", "St.", "Col.", "Capt."):
            merged[-1] = merged[-1] + " " + sent
        else:
            merged.append(sent)
    return merged


def cmd_split_austen(a):
    for name, n in (("train", a.n_train), ("val", a.n_val), ("test", a.n_test)):
        if n <= 0 or n % len(AUSTEN_NOVELS):
            sys.exit(f"split-austen: --n-{name} must be a positive multiple of {len(AUSTEN_NOVELS)}, got {n}")
    os.makedirs(a.outdir, exist_ok=True)
    rng = random.Random(a.seed)
    parts = {"train": [], "val": [], "test": []}
    for novel in AUSTEN_NOVELS:
        sents = [x for x in austen_sentences(os.path.join(a.austen, novel + ".txt"))
                 if AUSTEN_MIN_WORDS <= len(x.split()) <= AUSTEN_MAX_WORDS and "\t" not in x]
        sents = sorted(set(sents))  # a repeated sentence must not land in two splits
        rng.shuffle(sents)
        k = len(AUSTEN_NOVELS)
        need = (a.n_train + a.n_val + a.n_test) // k
        if len(sents) < need:
            sys.exit(f"split-austen: {novel} has {len(sents)} eligible sentences, need {need}")
        at = 0
        for name, n in (("val", a.n_val), ("test", a.n_test), ("train", a.n_train)):
            parts[name] += [(novel, x) for x in sents[at:at + n // k]]
            at += n // k
        print(f"{novel}: {len(sents)} eligible sentences of {AUSTEN_MIN_WORDS}-{AUSTEN_MAX_WORDS} words")
    for name, rows in parts.items():
        rng.shuffle(rows)  # interleave the novels; the trainer shuffles anyway, this keeps the files readable
        with open(os.path.join(a.outdir, name + ".tsv"), "w", encoding="utf-8") as f:
            f.write("label\ttext\n")
            # the reader follows RFC 4180 quoting (a field with a quote must be quoted, inner quotes doubled)
            f.writelines(f"{l}\t\"{x.replace(chr(34), chr(34) * 2)}\"\n" for l, x in rows)
        print(f"{name}: {len(rows)} rows, {len(rows) // len(AUSTEN_NOVELS)} per novel")


# ----------------------------------------------------------------------------------------------
# statistics (exact where n is tiny)


def mean(xs):
    return sum(xs) / len(xs)


def sd(xs):
    if len(xs) < 2:
        return float("nan")
    m = mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def betacf(a, b, x):
    # continued fraction for the regularized incomplete beta (modified Lentz)
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c if abs(1 + aa / c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c if abs(1 + aa / c) > tiny else tiny
        de = d * c
        h *= de
        if abs(de - 1) < 1e-14:
            break
    return h


def betai(a, b, x):
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    lbt = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(lbt) * betacf(a, b, x) / a
    return 1 - math.exp(lbt) * betacf(b, a, 1 - x) / b


def t_two_sided_p(t, df):
    if math.isnan(t):
        return float("nan")
    if math.isinf(t):
        return 0.0
    return betai(df / 2, 0.5, df / (df + t * t))


def paired_t(diffs):
    n = len(diffs)
    s = sd(diffs)
    if n < 2:
        return float("nan"), float("nan")
    if s == 0:
        return (0.0, 1.0) if mean(diffs) == 0 else (math.copysign(math.inf, mean(diffs)), 0.0)
    t = mean(diffs) / (s / math.sqrt(n))
    return t, t_two_sided_p(t, n - 1)


def sign_test(diffs):
    """Two-sided exact binomial sign test; ties dropped."""
    nz = [d for d in diffs if d != 0]
    n, k = len(nz), sum(1 for d in nz if d > 0)
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(0, min(k, n - k) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def permutation_test(diffs):
    """Exact two-sided sign-flip permutation test of the mean paired difference (2^n flips)."""
    n = len(diffs)
    obs = abs(sum(diffs))
    hits = 0
    for mask in range(2 ** n):
        s = sum(-d if mask >> i & 1 else d for i, d in enumerate(diffs))
        hits += abs(s) >= obs - 1e-12
    return hits / 2 ** n


def bootstrap_ci(xs, reps=10000, seed=7):
    """Percentile 95% CI of the mean, resampling the given values (here: seeds) with replacement."""
    rng = random.Random(seed)
    n = len(xs)
    ms = sorted(mean([xs[rng.randrange(n)] for _ in range(n)]) for _ in range(reps))
    return ms[int(0.025 * reps)], ms[int(0.975 * reps) - 1]


# ----------------------------------------------------------------------------------------------
# tiny PNG plotting (no matplotlib on the host): filled rectangles, lines and a 3x5 pixel font

FONT = {  # 3x5 glyphs, rows top to bottom, bits left to right
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111", "3": "111001111001111",
    "4": "101101111001001", "5": "111100111001111", "6": "111100111101111", "7": "111001010010010",
    "8": "111101111101111", "9": "111101111001111", ".": "000000000000010", "-": "000000111000000",
    "+": "000010111010000", " ": "000000000000000", "=": "000111000111000", "/": "001001010100100",
    ":": "000010000010000", "(": "010100100100010", ")": "010001001001010", "_": "000000000000111",
    "A": "010101111101101", "B": "110101110101110", "C": "011100100100011", "D": "110101101101110",
    "E": "111100110100111", "F": "111100110100100", "G": "011100101101011", "H": "101101111101101",
    "I": "111010010010111", "J": "001001001101010", "K": "101101110101101", "L": "100100100100111",
    "M": "101111111101101", "N": "110101101101101", "O": "010101101101010", "P": "110101110100100",
    "Q": "010101101110011", "R": "110101110101101", "S": "011100010001110", "T": "111010010010010",
    "U": "101101101101111", "V": "101101101101010", "W": "101101111111101", "X": "101101010101101",
    "Y": "101101010010010", "Z": "111001010100111", "%": "101001010100101", ",": "000000000010100", "*": "000101010101000",
}


class Canvas:
    def __init__(self, w, h):
        self.w, self.h = w, h
        self.px = bytearray([255] * (w * h * 3))

    def dot(self, x, y, c):
        if 0 <= x < self.w and 0 <= y < self.h:
            i = (y * self.w + x) * 3
            self.px[i:i + 3] = bytes(c)

    def rect(self, x0, y0, x1, y1, c):
        for y in range(int(min(y0, y1)), int(max(y0, y1)) + 1):
            for x in range(int(min(x0, x1)), int(max(x0, x1)) + 1):
                self.dot(x, y, c)

    def line(self, x0, y0, x1, y1, c, width=1):
        n = int(max(abs(x1 - x0), abs(y1 - y0), 1))
        for i in range(n + 1):
            x, y = x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n
            for dx in range(width):
                for dy in range(width):
                    self.dot(int(round(x)) + dx, int(round(y)) + dy, c)

    def text(self, x, y, s, c=(0, 0, 0), scale=2):
        for ch in s.upper():
            g = FONT.get(ch, FONT[" "])
            for r in range(5):
                for k in range(3):
                    if g[r * 3 + k] == "1":
                        self.rect(x + k * scale, y + r * scale, x + k * scale + scale - 1, y + r * scale + scale - 1, c)
            x += 4 * scale

    def save(self, path):
        raw = b"".join(b"\x00" + bytes(self.px[y * self.w * 3:(y + 1) * self.w * 3]) for y in range(self.h))

        def chunk(tag, data):
            return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

        with open(path, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0))
                    + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


COLORS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75)]


def panel_axes(cv, x0, y0, w, h, lo, hi, title, ticks=4, fmt="{:.3f}"):
    cv.text(x0, y0 - 22, title)
    cv.line(x0, y0, x0, y0 + h, (0, 0, 0))
    cv.line(x0, y0 + h, x0 + w, y0 + h, (0, 0, 0))
    for i in range(ticks + 1):
        v = lo + (hi - lo) * i / ticks
        y = y0 + h - h * i / ticks
        cv.line(x0 + 1, y, x0 + w, y, (225, 225, 225))
        cv.text(x0 - 8 - 4 * 2 * len(fmt.format(v)), int(y) - 5, fmt.format(v))


def plot_backbone(path, backbone, variants, finals, curves, majority=None):
    """Left: test accuracy mean ± sd per method (dots = seeds; grey line = majority class). Right: BA-LoRA weighted
    regularizer terms per step."""
    cv = Canvas(1200, 520)
    cv.text(20, 10, f"{backbone}: test accuracy (mean, +-sd, dots=seeds)   |   BA-LORA lambda*term per step (seed-mean)", scale=2)
    # left panel
    accs = [a for v in variants for a in finals.get(v, [])]
    if accs:
        lo, hi = min(accs + ([majority] if majority else [])), max(accs)
        pad = max(0.005, (hi - lo) * 0.25)
        lo, hi = lo - pad, hi + pad
        x0, y0, w, h = 110, 70, 440, 340
        panel_axes(cv, x0, y0, w, h, lo, hi, "ACCURACY")
        bw = w / max(1, len(variants))
        for i, v in enumerate(variants):
            xs = finals.get(v, [])
            if not xs:
                continue
            cx = x0 + bw * (i + 0.5)
            ym = lambda a: y0 + h - h * (a - lo) / (hi - lo)
            m, s = mean(xs), (sd(xs) if len(xs) > 1 else 0.0)
            cv.rect(cx - bw * 0.3, ym(m), cx + bw * 0.3, y0 + h - 1, tuple(min(255, c + 90) for c in COLORS[i % 6]))
            cv.line(cx, ym(m - s), cx, ym(m + s), (0, 0, 0), 2)
            cv.line(cx - 8, ym(m - s), cx + 8, ym(m - s), (0, 0, 0), 2)
            cv.line(cx - 8, ym(m + s), cx + 8, ym(m + s), (0, 0, 0), 2)
            for a in xs:
                cv.rect(cx - 3 + 10, ym(a) - 3, cx + 3 + 10, ym(a) + 3, COLORS[i % 6])
            label = v.replace("balora", "BA").replace("-only", "")
            cv.text(int(cx - len(label) * 4), y0 + h + 10, label, scale=2)
        if majority:
            ymaj = y0 + h - h * (majority - lo) / (hi - lo)
            cv.line(x0, ymaj, x0 + w, ymaj, (120, 120, 120), 2)
            cv.text(x0 + w - 80, int(ymaj) - 14, "MAJORITY", (120, 120, 120))
    # right panel: lambda * term over steps
    series = [(k, pts) for k, pts in curves.items() if pts]
    if series:
        vals = [y for _, pts in series for _, y in pts]
        lo, hi = min(vals + [0.0]), max(vals + [0.0])
        if hi - lo < 1e-12:
            hi = lo + 1e-6
        steps = max(x for _, pts in series for x, _ in pts)
        x0, y0, w, h = 760, 70, 400, 340
        panel_axes(cv, x0, y0, w, h, lo, hi, "LAMBDA * TERM", fmt="{:.4f}")
        cv.text(x0, y0 + h + 10, f"STEP 1 ... {steps}")
        for j, (k, pts) in enumerate(series):
            c = COLORS[(j + 3) % 6]
            prev = None
            for x, y in pts:
                p = (x0 + w * (x - 1) / max(1, steps - 1), y0 + h - h * (y - lo) / (hi - lo))
                if prev:
                    cv.line(prev[0], prev[1], p[0], p[1], c, 2)
                prev = p
            cv.rect(x0 + 10, y0 + h + 40 + 18 * j, x0 + 30, y0 + h + 50 + 18 * j, c)
            cv.text(x0 + 40, y0 + h + 40 + 18 * j, k.replace("_", " "), scale=2)
    cv.save(path)


# ----------------------------------------------------------------------------------------------
# report


def load_json(p):
    with open(p, encoding="utf-8") as f:
        return json.load(f)


def read_metrics(p):
    out = []
    if os.path.exists(p):
        with open(p, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    rec = json.loads(line)
                    if rec.get("type") == "train":
                        out.append(rec)
    return out


def read_predictions(p):
    """test_predictions.tsv -> (gold labels, predicted labels), in index order."""
    gold, pred = [], []
    with open(p, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        if header[:3] != ["index", "gold", "predicted"]:
            raise SystemExit(f"{p}: expected header index, gold, predicted, got {header[:3]}")
        for i, line in enumerate(f):
            cols = line.rstrip("\n").split("\t")
            if int(cols[0]) != i:
                raise SystemExit(f"{p}: row {i + 2} has index {cols[0]}, expected {i}")
            gold.append(cols[1])
            pred.append(cols[2])
    return gold, pred


def run_record(d):
    s = load_json(os.path.join(d, "summary.json"))
    t = load_json(os.path.join(d, "test_metrics.json"))
    settings = load_json(os.path.join(d, "settings.json")) if os.path.exists(os.path.join(d, "settings.json")) else {}
    wall = None
    if os.path.exists(os.path.join(d, "wall_s.txt")):
        with open(os.path.join(d, "wall_s.txt")) as f:
            wall = float(f.read().strip())
    gold, pred = read_predictions(os.path.join(d, "test_predictions.tsv"))
    return {"dir": d, "summary": s, "settings": settings, "wall_s": wall, "metrics": read_metrics(os.path.join(d, "metrics.jsonl")),
            "val_acc": s["final_eval"]["accuracy"], "val_f1": s["final_eval"]["macro_f1"], "val_mcc": s["final_eval"]["mcc"],
            "acc": t["accuracy"], "f1": t["macro_f1"], "mcc": t["mcc"], "test_n": int(t["examples"]),
            "train_s": s["elapsed_s"], "gold": gold, "correct": [int(g == q) for g, q in zip(gold, pred)],
            "majority": max(gold.count(g) for g in set(gold)) / len(gold)}


def fmt_ms(xs, scale=100, nd=2):
    if not xs:
        return "–"
    if len(xs) == 1:
        return f"{xs[0] * scale:.{nd}f}"
    return f"{mean(xs) * scale:.{nd}f} ± {sd(xs) * scale:.{nd}f}"


def mcnemar_exact(b, c):
    """Exact two-sided McNemar test: b = A right and B wrong, c = A wrong and B right; binomial(b + c, 1/2)."""
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(0, min(b, c) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def discordant(ca, cb):
    return sum(1 for x, y in zip(ca, cb) if x and not y), sum(1 for x, y in zip(ca, cb) if y and not x)


def example_bootstrap(per_seed_a, per_seed_b, reps=4000, seed=11):
    """Paired bootstrap over test examples with the seeds kept: each resample draws n example indices (the same
    for every seed and both methods) and takes the mean over seeds of acc(A) - acc(B). Returns the observed
    difference, the percentile 95% CI, and the two-sided bootstrap p (twice the share of resamples on the far side
    of 0, a rough check next to McNemar)."""
    n = len(per_seed_a[0])
    k = len(per_seed_a)
    d = [sum(a[i] - b[i] for a, b in zip(per_seed_a, per_seed_b)) / k for i in range(n)]
    obs = sum(d) / n
    rng = random.Random(seed)
    ms = sorted(sum(d[rng.randrange(n)] for _ in range(n)) / n for _ in range(reps))
    lo, hi = ms[int(0.025 * reps)], ms[int(0.975 * reps) - 1]
    far = sum(1 for m in ms if (m <= 0 if obs > 0 else m >= 0)) / reps
    return obs, (lo, hi), min(1.0, 2 * far) if obs != 0 else 1.0


def variant_of(name):
    return name.rsplit("-lr", 1)[0]


def cmd_report(a):
    root = a.rundir
    backbones = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d, "runs")))
    md = [f"# Reproduction report: `{root}`", ""]
    rep = {}
    for bb in backbones:
        md += [f"## Backbone `{bb}`", ""]
        rdir = os.path.join(root, bb, "runs")
        allruns = {}
        for name in sorted(os.listdir(rdir)):
            if os.path.exists(os.path.join(rdir, name, "test_metrics.json")):
                allruns[name] = run_record(os.path.join(rdir, name))
        gs_file = os.path.join(root, bb, "grid_seed.txt")
        grid_seed = int(open(gs_file).read().strip()) if os.path.exists(gs_file) else 1
        grid = [(n, r) for n, r in allruns.items()
                if r["settings"].get("seed") == grid_seed and variant_of(n) in ("lora", "pissa", "balora")]
        grid.sort(key=lambda nr: (["lora", "pissa", "balora"].index(variant_of(nr[0])), float(nr[1]["settings"]["lr"])))
        if grid:
            md += [f"Learning-rate grid (seed {grid_seed}; selection on the validation split only; test shown for "
                   "information, it played no part in the choice):", "",
                   "| method | lr | val accuracy | val macro-F1 | val MCC | test accuracy | train time (s) |",
                   "|---|---|---|---|---|---|---|"]
            for name, r in grid:
                md.append(f"| {variant_of(name)} | {r['settings'].get('lr', '?')} | {r['val_acc'] * 100:.2f} | "
                          f"{r['val_f1'] * 100:.2f} | {r['val_mcc']:.3f} | {r['acc'] * 100:.2f} | {r['train_s']:.0f} |")
            md.append("")
        sel_file = os.path.join(root, bb, "selected.tsv")
        selected = {}
        if os.path.exists(sel_file):
            with open(sel_file) as f:
                for line in f:
                    if line.strip():
                        m, lr = line.split()
                        selected[m] = float(lr)
            md += ["Selected lr per method (selected.tsv: the grid's best validation accuracy, ties to the smaller lr, "
                   "or lrs fixed with --fixed-lrs): " +
                   ", ".join(f"{m} lr={lr:g}" for m, lr in selected.items()), ""]
        runs = {}
        for name, r in allruns.items():
            v = variant_of(name)
            want = selected.get("balora" if v.startswith("balora-") else v)
            if want is not None and abs(float(r["settings"]["lr"]) - want) < 1e-12:
                runs.setdefault(v, {})[int(r["settings"]["seed"])] = r
        if not runs:
            continue
        order = [v for v in ["lora", "pissa", "balora", "balora-cr-only", "balora-dr-only", "balora-svdr-only"] if v in runs]
        order += sorted(v for v in runs if v not in order)
        any_r = next(iter(next(iter(runs.values())).values()))
        md += [f"Test set ({any_r['test_n']} examples, held out; majority class = {any_r['majority'] * 100:.1f} %), "
               "mean ± sample std over seeds, metrics in %:", "",
               "| method | seeds | accuracy | macro-F1 | MCC ×100 | val accuracy | train time (s) | wall (s) | λ1/λ2/λ3, k, target | lr |",
               "|---|---|---|---|---|---|---|---|---|---|"]
        bbrep = {}
        for v in order:
            rs = [runs[v][s] for s in sorted(runs[v])]
            accs = [r["acc"] for r in rs]
            st = rs[0]["settings"]
            walls = [r["wall_s"] for r in rs if r["wall_s"] is not None]
            md.append(f"| {v} | {','.join(str(s) for s in sorted(runs[v]))} | {fmt_ms(accs)} | {fmt_ms([r['f1'] for r in rs])} | "
                      f"{fmt_ms([r['mcc'] for r in rs])} | {fmt_ms([r['val_acc'] for r in rs])} | "
                      f"{mean([r['train_s'] for r in rs]):.0f} | {mean(walls) if walls else float('nan'):.0f} | "
                      f"{st.get('lambda1', '?')}/{st.get('lambda2', '?')}/{st.get('lambda3', '?')}, {st.get('svd_k', '?')}, "
                      f"{st.get('target', '?')} | {st.get('lr', '?')} |")
            bbrep[v] = {"seeds": sorted(runs[v]), "accuracy": accs, "macro_f1": [r["f1"] for r in rs],
                        "mcc": [r["mcc"] for r in rs], "val_accuracy": [r["val_acc"] for r in rs],
                        "train_s": [r["train_s"] for r in rs], "wall_s": walls, "settings": st}
        md.append("")
        comps = [("balora", "lora"), ("balora", "pissa"), ("pissa", "lora")]
        comps += [(v, "pissa") for v in order if v.endswith("-only")]
        comps += [("balora", v) for v in order if v.endswith("-only")]
        md += ["Paired comparisons over seeds (test accuracy; pairs = same seed, same data):", "",
               "| A vs B | n pairs | mean diff (pts) | sd diff | paired t | p (t) | p (sign) | p (exact sign-flip perm.) |",
               "|---|---|---|---|---|---|---|---|"]
        comprep = []
        ex_rows = []
        for x, y in comps:
            if x not in runs or y not in runs:
                continue
            common = sorted(set(runs[x]) & set(runs[y]))
            if not common:
                continue
            d = [runs[x][s]["acc"] - runs[y][s]["acc"] for s in common]
            t, pt = paired_t(d)
            md.append(f"| {x} vs {y} | {len(d)} | {mean(d) * 100:+.2f} | {sd(d) * 100:.2f} | {t:.2f} | {pt:.3f} | "
                      f"{sign_test(d):.3f} | {permutation_test(d):.3f} |")
            ca = [runs[x][s]["correct"] for s in common]
            cb = [runs[y][s]["correct"] for s in common]
            obs, ci, pb = example_bootstrap(ca, cb)
            per_seed = []
            for s, a_, b_ in zip(common, ca, cb):
                b, c = discordant(a_, b_)
                per_seed.append({"seed": s, "b": b, "c": c, "p": mcnemar_exact(b, c)})
            B, C = sum(q["b"] for q in per_seed), sum(q["c"] for q in per_seed)
            ex_rows.append(f"| {x} vs {y} | {','.join(map(str, common))} | {obs * 100:+.2f} | [{ci[0] * 100:+.2f}, {ci[1] * 100:+.2f}] | "
                           f"{pb:.3f} | " + "; ".join(f"s{q['seed']}: {q['b']}/{q['c']}, p={q['p']:.3g}" for q in per_seed)
                           + f" | {B}/{C}, p={mcnemar_exact(B, C):.3g} |")
            comprep.append({"a": x, "b": y, "seeds": common, "diffs": d, "t": t, "p_t": pt, "p_sign": sign_test(d),
                            "p_perm": permutation_test(d), "example_bootstrap": {"diff": obs, "ci95": ci, "p": pb},
                            "mcnemar": per_seed, "mcnemar_pooled": {"b": B, "c": C, "p": mcnemar_exact(B, C)}})
        md += ["", "With 3 pairs the smallest two-sided p of a sign or sign-flip test is 0.25: those two tests can only "
                   "flag disagreement with the t-test.", ""]
        md += ["Paired comparisons over test examples (mean over seeds of acc(A) − acc(B); bootstrap resamples test "
               "examples, the same draw for every seed and both methods, 4,000 resamples; McNemar is exact, b = A right "
               "and B wrong, c = A wrong and B right; the pooled McNemar sums b and c over seeds, which treats the seeds' "
               "repeated use of the same examples as independent and so overstates the evidence):", "",
               "| A vs B | seeds | diff (pts) | 95% CI (example bootstrap) | p (bootstrap) | McNemar per seed b/c | McNemar pooled b/c |",
               "|---|---|---|---|---|---|---|"] + ex_rows + [""]
        curves = {}
        if "balora" in runs:
            per_seed_m = [r["metrics"] for r in runs["balora"].values() if r["metrics"]]
            if per_seed_m:
                md += ["BA-LoRA regularizer terms over training (raw term value; mean over seeds; first / middle / last step):", "",
                       "| term | λ | step 1 | middle | last |", "|---|---|---|---|---|"]
                n = min(len(m) for m in per_seed_m)
                keys = sorted(per_seed_m[0][0].get("terms", {}).keys())
                for k in keys:
                    lam = per_seed_m[0][0].get("lambdas", {}).get(k, 0.0)
                    raw = [mean([m[i]["terms"][k] for m in per_seed_m]) for i in range(n)]
                    curves[k] = [(i + 1, lam * raw[i]) for i in range(n)]
                    md.append(f"| {k} | {lam} | {raw[0]:.5f} | {raw[n // 2]:.5f} | {raw[-1]:.5f} |")
                tl = [mean([m[i]["task_loss"] for m in per_seed_m]) for i in range(n)]
                md.append(f"| task loss (for scale) | 1 | {tl[0]:.5f} | {tl[n // 2]:.5f} | {tl[-1]:.5f} |")
                md.append("")
        png = os.path.join(root, f"{bb}.png")
        title = f"{any_r['settings'].get('task', '')} {bb}".strip()
        plot_backbone(png, title, order, {v: bbrep[v]["accuracy"] for v in order}, curves, any_r["majority"])
        md += [f"Plot: `{png}`", ""]
        rep[bb] = {"selected": selected, "grid": [{"run": n, "lr": r["settings"].get("lr"), "val_acc": r["val_acc"],
                                                   "test_acc": r["acc"]} for n, r in grid],
                   "variants": bbrep, "comparisons": comprep}
    with open(os.path.join(root, "report.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")
    with open(os.path.join(root, "report.json"), "w", encoding="utf-8") as f:
        json.dump(rep, f, indent=1)
    print("\n".join(md))


# ----------------------------------------------------------------------------------------------
# protocol v2: the edge rule and the report over balora sweep folders


def better(a, b):
    """Protocol v2's selection rule (ValidationSelection.compare): accuracy, then lower loss; None/missing is worst."""
    if b is None:
        return True
    if a is None:
        return False
    if a.get("accuracy", -1) != b.get("accuracy", -1):
        return a.get("accuracy", -1) > b.get("accuracy", -1)
    return a.get("loss", float("inf")) < b.get("loss", float("inf"))


def point_records(celldir):
    out = {}
    pd = os.path.join(celldir, "points")
    if os.path.isdir(pd):
        for name in os.listdir(pd):
            f = os.path.join(pd, name, "point.json")
            if os.path.exists(f):
                out[name] = load_json(f)
    return out


def group_winner(records, ids):
    """The winning record among ids (grid order), or None when one is unfinished or none is done."""
    best = None
    for i in ids:
        r = records.get(i)
        if r is None or r["status"] not in ("done", "failed", "stopped"):
            return None
        if r["status"] == "done" and r.get("validation") and (best is None or better(r["validation"], best["validation"])):
            best = r
    return best


def fmt_lr(x):
    return f"{x:.0e}".replace("e-0", "e-").replace("e+0", "e")


def cmd_extend_edges(a):
    """Protocol v2 edge rule: a stage-A winner on the smallest or largest lr of its group adds one lr beyond it."""
    gpath = os.path.join(a.celldir, "grid.json")
    grid = load_json(gpath)
    epath = os.path.join(a.celldir, "edges.json")
    done = load_json(epath) if os.path.exists(epath) else {}
    recs = point_records(a.celldir)
    changed = False
    for g in grid["groups"]:
        if g["name"] not in a.groups.split(",") or g["name"] in done:
            continue
        lrs = [float(x) for x in g.get("axes", {}).get("lr", [])]
        if len(lrs) < 2:
            continue
        ids = [pid for pid, r in recs.items() if r.get("group") == g["name"]]
        if len(ids) < len(lrs):
            print(f"{g['name']}: unfinished, no edge check")
            continue
        ids.sort(key=lambda pid: lrs.index(float(recs[pid]["options"]["lr"])))
        w = group_winner(recs, ids)
        if w is None:
            print(f"{g['name']}: no winner")
            continue
        wl = float(w["options"]["lr"])
        new = None
        if wl == min(lrs):
            new = float(fmt_lr(wl / 3))
        elif wl == max(lrs):
            new = float(fmt_lr(wl * 3))
        if new is None:
            print(f"{g['name']}: winner lr {wl:g} is inside the grid")
            done[g["name"]] = {"winner_lr": wl, "extended": None}
            continue
        g["axes"]["lr"] = g["axes"]["lr"] + [new]
        done[g["name"]] = {"winner_lr": wl, "extended": new}
        changed = True
        print(f"{g['name']}: winner lr {wl:g} is at the edge: extended with {new:g}")
    if changed:
        with open(gpath + ".tmp", "w", encoding="utf-8") as f:
            json.dump(grid, f, indent=1)
            f.write("\n")
        os.replace(gpath + ".tmp", gpath)
    with open(epath, "w", encoding="utf-8") as f:
        json.dump(done, f, indent=1)


def t_quantile(q, df):
    """Upper quantile of Student's t: the t with P(T > t) = 1 - q (bisection on the two-sided p)."""
    target = 2 * (1 - q)
    lo, hi = 0.0, 1000.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_two_sided_p(mid, df) > target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


Z975, Z80 = 1.959964, 0.841621


def mde_seed(sd_d, n):
    """Minimal detectable mean paired difference at 80 % power, two-sided 0.05, paired t with n seeds."""
    if n < 2 or sd_d != sd_d:
        return float("nan")
    return (t_quantile(0.975, n - 1) + t_quantile(0.8, n - 1)) * sd_d / math.sqrt(n)


def seeds_needed(sd_d, effect):
    """Seeds for which the seed-level MDE falls to `effect` (same sd), capped at 1000."""
    if sd_d != sd_d or effect <= 0:
        return None
    if sd_d == 0:
        return 2
    for n in range(2, 1001):
        if mde_seed(sd_d, n) <= effect:
            return n
    return None


def t_ci(xs):
    n = len(xs)
    if n < 2:
        return (float("nan"), float("nan"))
    h = t_quantile(0.975, n - 1) * sd(xs) / math.sqrt(n)
    return mean(xs) - h, mean(xs) + h


def bootstrap_se_ci(per_seed_a, per_seed_b, reps=4000, seed=11):
    """Example bootstrap of the seed-mean paired difference: (observed, SE, 95 % CI)."""
    n = len(per_seed_a[0])
    k = len(per_seed_a)
    d = [sum(a[i] - b[i] for a, b in zip(per_seed_a, per_seed_b)) / k for i in range(n)]
    obs = sum(d) / n
    rng = random.Random(seed)
    ms = sorted(sum(d[rng.randrange(n)] for _ in range(n)) / n for _ in range(reps))
    m = mean(ms)
    se = math.sqrt(sum((x - m) ** 2 for x in ms) / (reps - 1))
    return obs, se, (ms[int(0.025 * reps)], ms[int(0.975 * reps) - 1])


def v2_run(celldir, rec, records):
    """A finished point's data: follows same_as; None when the files are missing."""
    pid = rec["same_as"] or rec["id"]
    d = os.path.join(celldir, "points", pid)
    tp = os.path.join(d, "test_predictions.tsv")
    if not os.path.exists(tp):
        return None
    gold, pred = read_predictions(tp)
    sel = load_json(os.path.join(d, "selection.json")) if os.path.exists(os.path.join(d, "selection.json")) else {}
    train = read_metrics(os.path.join(d, "metrics.jsonl"))
    majority = max(set(gold), key=gold.count)
    return {"id": rec["id"], "options": rec["options"], "val": rec["validation"] or {}, "test": rec["test"] or {},
            "correct": [int(g == q) for g, q in zip(gold, pred)], "pred_majority": pred.count(majority) / len(pred),
            "best_step": rec["best_step"], "steps": rec["steps"], "stopped_early": rec["stopped_early"],
            "not_converged": rec["not_converged"], "train": train, "selection": sel, "train_s": rec["train_s"]}


PAPER = {"balora vs pissa": (0.44, 1.20), "balora vs lora": (1.35, 2.11), "pissa vs lora": (0.91, 0.91),
         "cr-only vs pissa": (0.31, 0.31), "dr-only vs pissa": (0.18, 0.18), "svdr-only vs pissa": (0.12, 0.12)}


def verdict(diff, p_t, ci, mde_s, mde_e, paper_lo):
    if p_t == p_t and p_t < 0.05 and ci[0] > 0 and diff > 0:
        return "supported"
    if p_t == p_t and p_t < 0.05 and ci[1] < 0 and diff < 0:
        return "contradicted (significantly worse)"
    mde = max(mde_s, mde_e) if mde_s == mde_s else mde_e
    if mde == mde and mde <= paper_lo:
        return "not supported (null with power: MDE %.2f <= paper %.2f)" % (mde, paper_lo)
    return "not testable at this scale (MDE %.2f > paper %.2f)" % (mde, paper_lo)


def cell_report(root, cell):
    celldir = os.path.join(root, cell)
    grid = load_json(os.path.join(celldir, "grid.json"))
    records = point_records(celldir)
    order = {}
    for gi, g in enumerate(grid["groups"]):
        order[g["name"]] = gi
    L = [f"## Cell `{cell}`", ""]
    rep = {"cell": cell}
    # stage A/B tables
    for gname in ("lora-lr", "pissa-lr", "balora-lr", "balora-lambda"):
        rs = sorted([r for r in records.values() if r.get("group") == gname], key=lambda r: r["id"])
        if not rs:
            continue
        w = group_winner(records, [r["id"] for r in rs])
        L += [f"### `{gname}` (seed 1; selection on validation)", "",
              "| point | lr | target | λ scale | val acc | val loss | best step / steps | stopped early | test acc (info) | train (s) |",
              "|---|---|---|---|---|---|---|---|---|---|"]
        for r in sorted(rs, key=lambda r: (r["options"].get("target", ""), float(r["options"].get("lambda-scale", 1)),
                                           float(r["options"].get("lr", 0)))):
            v, t, o = r.get("validation") or {}, r.get("test") or {}, r["options"]
            star = "★ " if w is not None and w["id"] == r["id"] else ""
            nc = " (not converged)" if r.get("not_converged") else ""
            L.append(f"| {star}{r['id']} | {o.get('lr')} | {o.get('target', 'pooled') if o.get('method') == 'balora' else '–'} | "
                     f"{o.get('lambda-scale', 1) if o.get('method') == 'balora' else '–'} | "
                     f"{100 * v.get('accuracy', float('nan')):.2f} | {v.get('loss', float('nan')):.4f} | "
                     f"{r['best_step']} / {r['steps']}{nc} | {'yes' if r.get('stopped_early') else 'no'} | "
                     f"{100 * t.get('accuracy', float('nan')):.2f} | {r.get('train_s', 0):.0f} |")
        if gname == "balora-lambda" and rs:
            lr = rs[0]["options"].get("lr")
            ref = [r for r in records.values() if r.get("group") == "pissa-lr" and r["options"].get("lr") == lr
                   and r.get("validation")]
            if ref:
                v = ref[0]["validation"]
                L.append(f"| λ = 0 reference: {ref[0]['id']} (PiSSA = BA-LoRA with the terms off) | {lr} | – | 0 | "
                         f"{100 * v.get('accuracy', float('nan')):.2f} | {v.get('loss', float('nan')):.4f} | "
                         f"{ref[0]['best_step']} / {ref[0]['steps']} | {'yes' if ref[0].get('stopped_early') else 'no'} | "
                         f"{100 * (ref[0].get('test') or {}).get('accuracy', float('nan')):.2f} | {ref[0].get('train_s', 0):.0f} |")
        L.append("")
        rep.setdefault("selection", {})[gname] = None if w is None else {"id": w["id"], "options": w["options"],
                                                                            "validation": w["validation"]}
    ep = os.path.join(celldir, "edges.json")
    if os.path.exists(ep):
        edges = load_json(ep)
        ext = [f"{g}: {e['extended']:g}" for g, e in edges.items() if e.get("extended")]
        L += ["Edge rule: " + ("grids extended with " + ", ".join(ext) if ext else "no stage-A winner at a grid edge")
              + ".", ""]
    # final + ablations
    variants = {}
    for r in records.values():
        if r.get("group") not in ("final", "ablations") or r.get("status") != "done":
            continue
        label = r["id"].split("+")[1]
        seed = int(r["options"]["seed"])
        run = v2_run(celldir, r, records)
        if run is not None:
            variants.setdefault(label, {})[seed] = run
    if not variants:
        L += ["Final comparison: not run yet.", ""]
        return L, rep
    names = [v for v in ["lora", "pissa", "balora", "cr-only", "dr-only", "svdr-only"] if v in variants]
    anyrun = next(iter(next(iter(variants.values())).values()))
    n_test = len(anyrun["correct"])
    L += [f"### Final comparison (test set, {n_test} examples, predicted once per run; fresh seeds)", "",
          "| method | seeds | test accuracy, mean ± sd | 95 % CI (t, seeds) | macro-F1 | MCC ×100 | val acc | "
          "share predicted majority | best step (mean) | stopped early | not converged | configuration |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    rep["variants"] = {}
    for v in names:
        rs = [variants[v][s] for s in sorted(variants[v])]
        acc = [r["test"]["accuracy"] for r in rs]
        lo, hi = t_ci(acc)
        o = rs[0]["options"]
        conf = f"lr {o.get('lr')}" + (f", {o.get('target')}, λ×{o.get('lambda-scale')}, λ=({o.get('lambda1')},{o.get('lambda2')},{o.get('lambda3')})"
                                      if o.get("method") == "balora" else "")
        L.append(f"| {v} | {','.join(map(str, sorted(variants[v])))} | {fmt_ms(acc)} | [{100 * lo:.2f}, {100 * hi:.2f}] | "
                 f"{fmt_ms([r['test']['macro_f1'] for r in rs])} | {fmt_ms([r['test']['mcc'] for r in rs])} | "
                 f"{fmt_ms([r['val'].get('accuracy', float('nan')) for r in rs])} | {fmt_ms([r['pred_majority'] for r in rs], 100, 1)} % | "
                 f"{mean([r['best_step'] for r in rs]):.0f} | {sum(r['stopped_early'] for r in rs)}/{len(rs)} | "
                 f"{sum(r['not_converged'] for r in rs)}/{len(rs)} | {conf} |")
        rep["variants"][v] = {"seeds": sorted(variants[v]), "accuracy": acc, "ci95": [lo, hi], "options": o}
    L.append("")
    comps = [("balora", "pissa"), ("balora", "lora"), ("pissa", "lora")] + [(x, "pissa") for x in ("cr-only", "dr-only", "svdr-only")]
    L += ["### Paired comparisons and power (test accuracy, points; pairs = same seed)", "",
          "Seed level: paired t over seeds and the exact sign-flip test; MDE = (t₀.₉₇₅ + t₀.₈)·sd/√n. Example level: "
          "bootstrap over test examples of the seed-mean difference (4,000 resamples); MDE = 2.80·SE. McNemar: b = A right "
          "and B wrong, c = the reverse, pooled over seeds.", "",
          "| A vs B | n | mean diff | sd | p (t) | p (sign-flip) | example 95 % CI | MDE seed | MDE example | seeds for +0.4 / +1.2 | McNemar pooled b/c, p | paper | verdict |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    rep["comparisons"] = []
    for x, y in comps:
        if x not in variants or y not in variants:
            continue
        common = sorted(set(variants[x]) & set(variants[y]))
        if len(common) < 2:
            continue
        d = [100 * (variants[x][s]["test"]["accuracy"] - variants[y][s]["test"]["accuracy"]) for s in common]
        t, pt = paired_t(d)
        pp = permutation_test(d)
        ca = [variants[x][s]["correct"] for s in common]
        cb = [variants[y][s]["correct"] for s in common]
        obs, se, ci = bootstrap_se_ci(ca, cb)
        B = C = 0
        for a_, b_ in zip(ca, cb):
            b, c = discordant(a_, b_)
            B, C = B + b, C + c
        ms_ = mde_seed(sd(d), len(d))
        me = 100 * (Z975 + Z80) * se
        key = f"{x} vs {y}"
        paper = PAPER.get(key, (float("nan"), float("nan")))
        n4, n12 = seeds_needed(sd(d), 0.4), seeds_needed(sd(d), 1.2)
        ver = verdict(mean(d), pt, (100 * ci[0], 100 * ci[1]), ms_, me, paper[0])
        L.append(f"| {key} | {len(d)} | {mean(d):+.2f} | {sd(d):.2f} | {pt:.3f} | {pp:.3f} | [{100 * ci[0]:+.2f}, {100 * ci[1]:+.2f}] | "
                 f"{ms_:.2f} | {me:.2f} | {n4 or '>1000'} / {n12 or '>1000'} | {B}/{C}, {mcnemar_exact(B, C):.3g} | "
                 f"+{paper[0]:g}{'' if paper[0] == paper[1] else ' to +%g' % paper[1]} | {ver} |")
        rep["comparisons"].append({"a": x, "b": y, "seeds": common, "diffs": d, "t": t, "p_t": pt, "p_perm": pp,
                                   "example_diff": 100 * obs, "example_se": 100 * se, "example_ci95": [100 * ci[0], 100 * ci[1]],
                                   "mde_seed": ms_, "mde_example": me, "mcnemar": [B, C, mcnemar_exact(B, C)],
                                   "seeds_for_0.4": n4, "seeds_for_1.2": n12, "verdict": ver})
    L.append("")
    # regularizer terms beside the task loss
    for v in [x for x in ("balora", "cr-only", "dr-only", "svdr-only") if x in variants]:
        rs = [variants[v][s] for s in sorted(variants[v]) if variants[v][s]["train"]]
        if not rs:
            continue
        n = min(len(r["train"]) for r in rs)
        keys = sorted(rs[0]["train"][0].get("terms", {}).keys())
        if not keys:
            continue
        L += [f"### `{v}`: regularizer terms over training (mean over seeds; raw value, λ·term in brackets)", "",
              "| quantity | step 1 | 25 % | middle | 75 % | last common step | at the best step (per seed) |", "|---|---|---|---|---|---|---|"]
        picks = [0, n // 4, n // 2, (3 * n) // 4, n - 1]

        def at_best(r, k):
            b = max(1, min(int(r["best_step"]), len(r["train"])))
            row = r["train"][b - 1]
            return row["terms"][k] if k != "task_loss" else row["task_loss"], row["lambdas"].get(k, 1.0) if k != "task_loss" else 1.0

        for k in keys + ["task_loss"]:
            cells = []
            for i in picks:
                if k == "task_loss":
                    cells.append(f"{mean([r['train'][i]['task_loss'] for r in rs]):.4f}")
                else:
                    raw = mean([r["train"][i]["terms"][k] for r in rs])
                    w = mean([r["train"][i]["terms"][k] * r["train"][i]["lambdas"][k] for r in rs])
                    cells.append(f"{raw:.4f} [{w:+.5f}]")
            bv = [at_best(r, k) for r in rs]
            cells.append(f"{mean([x for x, _ in bv]):.4f}" + ("" if k == "task_loss" else f" [{mean([x * l for x, l in bv]):+.5f}]"))
            L.append(f"| {k} | " + " | ".join(cells) + " |")
        L += ["", f"Steps: 1, {picks[1] + 1}, {picks[2] + 1}, {picks[3] + 1}, {n} (the shortest run's last step).", ""]
    return L, rep


def cmd_report_v2(a):
    root = a.rundir.rstrip("/")
    if os.path.exists(os.path.join(root, "grid.json")):  # one cell's folder
        root, single = os.path.dirname(root) or ".", os.path.basename(root)
        cells = [single]
    else:
        cells = [c for c in ["food-minilm", "food-bge-small", "austen-minilm", "austen-bge-small"]
                 if os.path.exists(os.path.join(root, c, "grid.json"))]
    L = ["# Protocol v2 report", "", f"Run folder: `{root}`. Generated by `scripts/repro_stats.py report-v2`.", ""]
    rep = {}
    for c in cells:
        lines, r = cell_report(root, c)
        L += lines
        rep[c] = r
    with open(os.path.join(root, "report-v2.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")
    with open(os.path.join(root, "report-v2.json"), "w", encoding="utf-8") as f:
        json.dump(rep, f, indent=1)
    print("\n".join(L))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("split")
    s.add_argument("train")
    s.add_argument("test")
    s.add_argument("outdir")
    s.add_argument("--n-train", type=int, default=0, help="training rows (0 = all that remain after validation)")
    s.add_argument("--n-val", type=int, required=True)
    s.add_argument("--n-test", type=int, default=0, help="test rows (0 = all)")
    s.add_argument("--seed", type=int, default=20240901)
    sa = sub.add_parser("split-austen")
    sa.add_argument("austen")
    sa.add_argument("outdir")
    sa.add_argument("--n-train", type=int, required=True)
    sa.add_argument("--n-val", type=int, required=True)
    sa.add_argument("--n-test", type=int, required=True)
    sa.add_argument("--seed", type=int, default=20240901)
    r = sub.add_parser("report")
    r.add_argument("rundir")
    e = sub.add_parser("extend-edges")
    e.add_argument("celldir")
    e.add_argument("--groups", default="lora-lr,pissa-lr,balora-lr")
    r2 = sub.add_parser("report-v2")
    r2.add_argument("rundir")
    a = p.parse_args(argv)
    return {"split": cmd_split, "split-austen": cmd_split_austen, "report": cmd_report,
            "extend-edges": cmd_extend_edges, "report-v2": cmd_report_v2}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
