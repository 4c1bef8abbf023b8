#!/usr/bin/env python3
"""Markdown tables from a JMH JSON result file (scripts/bench.sh writes bench/target/jmh-result.json).

    python3 scripts/jmh_table.py bench/target/jmh-result.json > table.md
    python3 scripts/jmh_table.py --pairs bench/target/jmh-result.json   one row per case: balora beside its peer

For every benchmark and parameter set: the median over all measured iterations of all forks, the spread
(min-max of those iterations), GFLOP/s where the benchmark's flop count is known, the ratio to the peer in the
same run (OpenBLAS time / balora time: > 1 means balora is faster), and % of peak, where peak = threads x the
one-thread FMA-loop GFLOP/s that PeakBench measured in the same run. Stdlib only.
"""
import json
import statistics
import sys

T, IN, OUT = 4096, 1024, 1024  # LoraShapes
LANES = 16  # float lanes of the species the run used (`balora info`); --lanes N overrides


def flops(cls, p):
    if cls in ("GemmBench",):
        return 2.0 * int(p["size"]) ** 3
    if cls == "ScalarGemmBench":
        return 2.0 * int(p["scalarSize"]) ** 3
    if cls == "LoraProductBench":
        return 2.0 * T * IN * int(p["r"])
    if cls == "LoraFusedBench":
        return 6.0 * T * int(p["r"]) * (IN + OUT)
    if cls == "PeakBench":
        return 2.0 * 12 * LANES * 1_000_000  # FmaPeak.CHAINS x lanes x PeakBench.ITERATIONS
    return None


# balora method -> peer method, per class
PEERS = {
    "GemmBench": ("balora", "openblasOffHeap"),
    "LoraProductBench": ("balora", "openblas"),
    "LoraFusedBench": ("baloraFused", "openblasUnfused"),
}


def to_ms(value, unit):
    scale = {"us/op": 1e-3, "ms/op": 1.0, "ns/op": 1e-6, "s/op": 1e3}[unit]
    return value * scale


def main(path):
    rows = json.load(open(path))
    results = {}
    for r in rows:
        cls, method = r["benchmark"].split(".")[-2:]
        params = r.get("params", {})
        m = r["primaryMetric"]
        raw = [to_ms(x, m["scoreUnit"]) for fork in m["rawData"] for x in fork]
        results[(cls, method, tuple(sorted(params.items())))] = (statistics.median(raw), min(raw), max(raw), len(raw), params)
    peak = None
    for (cls, method, _), (med, lo, hi, n, params) in results.items():
        if cls == "PeakBench":
            peak = flops(cls, params) / (lo * 1e6)  # best run: interference only slows a run
    print("| benchmark | params | median ms | spread (min-max) | n | GFLOP/s | vs peer (peer time / balora time) | % of peak |")
    print("|---|---|---|---|---|---|---|---|")
    for key in sorted(results):
        cls, method, pkey = key
        med, lo, hi, n, params = results[key]
        f = flops(cls, params)
        gf = f / (med * 1e6) if f else None
        ratio = ""
        if cls in PEERS and method == PEERS[cls][0]:
            peer = results.get((cls, PEERS[cls][1], pkey))
            if peer:
                ratio = "%.2fx" % (peer[0] / med)
        pct = ""
        if gf and peak and "openblas" not in method.lower():
            pct = "%.0f%%" % (100 * gf / (peak * int(params.get("threads", 1))))
        ptxt = ", ".join("%s=%s" % kv for kv in pkey)
        print("| %s.%s | %s | %.3f | %.3f-%.3f | %d | %s | %s | %s |" % (
            cls, method, ptxt, med, lo, hi, n, "%.1f" % gf if gf else "", ratio, pct))
    if peak:
        print("\nMeasured one-thread FMA peak (PeakBench, best iteration): %.0f GFLOP/s" % peak)


def pairs(path):
    """One row per (benchmark class, params) that has both a balora method and its peer."""
    rows = json.load(open(path))
    results = {}
    peak = None
    for r in rows:
        cls, method = r["benchmark"].split(".")[-2:]
        params = r.get("params", {})
        m = r["primaryMetric"]
        raw = [to_ms(x, m["scoreUnit"]) for fork in m["rawData"] for x in fork]
        results[(cls, method, tuple(sorted(params.items())))] = (statistics.median(raw), min(raw), max(raw), params)
        if cls == "PeakBench":
            peak = flops(cls, params) / (min(raw) * 1e6)
    print("| case | threads | balora ms (min-max) | peer ms (min-max) | peer time / balora time | balora GFLOP/s | % of peak |")
    print("|---|---|---|---|---|---|---|")
    for (cls, method, pkey) in sorted(results):
        if cls not in PEERS or method != PEERS[cls][0]:
            continue
        peer = results.get((cls, PEERS[cls][1], pkey))
        if not peer:
            continue
        med, lo, hi, params = results[(cls, method, pkey)]
        f = flops(cls, params)
        gf = f / (med * 1e6)
        th = int(params.get("threads", 1))
        case = cls.replace("Bench", "") + " " + ", ".join("%s=%s" % kv for kv in pkey if kv[0] != "threads")
        pct = "%.0f%%" % (100 * gf / (peak * th)) if peak else ""
        print("| %s | %d | %.2f (%.2f-%.2f) | %.2f (%.2f-%.2f) | %.2fx | %.1f | %s |" % (
            case, th, med, lo, hi, peer[0], peer[1], peer[2], peer[0] / med, gf, pct))
    if peak:
        print("\nPeer: OpenBLAS off heap (GemmBench, LoraProductBench) or six OpenBLAS calls (LoraFusedBench). "
              "Peak: %.0f GFLOP/s per thread, measured by PeakBench in the same run." % peak)


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--lanes" in args:
        i = args.index("--lanes")
        LANES = int(args[i + 1])
        del args[i:i + 2]
    if "--pairs" in args:
        args.remove("--pairs")
        pairs(args[0] if args else "bench/target/jmh-result.json")
    else:
        main(args[0] if args else "bench/target/jmh-result.json")
