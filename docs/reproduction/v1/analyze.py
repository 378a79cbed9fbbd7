#!/usr/bin/env python3
"""Pooled statistics for docs/REPRODUCTION.md from `regime run` results.

Usage: python3 docs/reproduction/analyze.py runs/repro > docs/reproduction/analysis.md

Reads every <root>/<run>/trials/*.json (and curves/ for the convnet and the
noise floor). Per experiment:

- the grid baseline of a (cell, seed) is the grid point with the best final
  validation accuracy (ties: the first, as `regime report` does);
- a gain is paired: arm minus baseline (or arm minus arm), same cell and seed,
  measured on test accuracy (10,000 images);
- pooled gains are means over every (cell, seed) pair with a Student-t 95%
  CI (cells use different seeds, so the pairs are independent trials; the
  CI is for the mean over this design's cells);
- trends ("grows with hidden units") are least-squares slopes of the paired
  gain against log2 of the axis, with a t 95% CI (df = n - 2), in points per
  doubling.
Only the standard library is used.
"""
import csv
import glob
import json
import math
import os
import sys
from collections import defaultdict

T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201,
        2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074,
        2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def t975(df):
    if df <= 0:
        return float("nan")
    if df <= 30:
        return T975[df - 1]
    return 2.000 if df <= 60 else (1.980 if df <= 120 else 1.960)


def stat(xs):
    n = len(xs)
    if n == 0:
        return (float("nan"), float("nan"), 0)
    m = sum(xs) / n
    if n < 2:
        return (m, float("nan"), n)
    var = sum((x - m) ** 2 for x in xs) / (n - 1)
    return (m, t975(n - 1) * math.sqrt(var / n), n)


def slope(xs, ys):
    n = len(xs)
    if n < 3:
        return (float("nan"), float("nan"), n)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return (float("nan"), float("nan"), n)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    a = my - b * mx
    rss = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    se = math.sqrt(rss / (n - 2) / sxx)
    return (b, t975(n - 2) * se, n)


def fmt(s, scale=100.0):
    m, h, n = s
    if n == 0 or math.isnan(m):
        return "n/a"
    if math.isnan(h):
        return f"{m * scale:+.2f} (n={n})"
    return f"{m * scale:+.2f} [{(m - h) * scale:+.2f}, {(m + h) * scale:+.2f}] (n={n})"


def axis_num(v):
    if isinstance(v, dict):
        return float(next(iter(v.values())))
    return float(v)


def load(run_dir):
    recs = []
    for f in sorted(glob.glob(os.path.join(run_dir, "trials", "*.json"))):
        with open(f) as fh:
            recs.append(json.load(fh))
    return recs


def curve(run_dir, tid):
    p = os.path.join(run_dir, "curves", tid + ".csv")
    if not os.path.exists(p):
        return None
    with open(p) as fh:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(fh)]


def representatives(recs):
    """(cell, arm, seed) -> the record standing for it (grid: best val)."""
    out = {}
    groups = defaultdict(list)
    for r in recs:
        if r.get("finals") is None:
            continue
        groups[(r["cell"], r["arm"], r["seed_index"])].append(r)
    for k, rs in groups.items():
        rs.sort(key=lambda r: (r.get("grid") or {}).get("index", 0))
        best = rs[0]
        for r in rs[1:]:
            if r["finals"]["val_acc"] > best["finals"]["val_acc"]:
                best = r
        out[k] = best
    return out


def paired(reps, a, b):
    """[(vary, seed, test_a - test_b)] over cells and seeds with both."""
    rows = []
    for (cell, arm, seed), r in reps.items():
        if arm != a:
            continue
        o = reps.get((cell, b, seed))
        if o is None:
            continue
        rows.append((r["vary"], seed, r["finals"]["test_acc"] - o["finals"]["test_acc"]))
    return rows


def gain_section(name, reps, a, b, axes):
    rows = paired(reps, a, b)
    lines = [f"- `{a}` − `{b}` (test acc, points): pooled {fmt(stat([g for _, _, g in rows]))}"]
    for ax in axes:
        xs = [math.log2(axis_num(v[ax])) for v, _, _ in rows]
        ys = [g for _, _, g in rows]
        lines.append(f"  - slope per doubling of `{ax}`: {fmt(slope(xs, ys))}")
        by = defaultdict(list)
        for v, _, g in rows:
            by[axis_num(v[ax])].append(g)
        parts = [f"{ax}={k:g}: {fmt(stat(by[k]))}" for k in sorted(by)]
        lines.append("  - by " + ax + ": " + "; ".join(parts))
    return lines


def grid_facts(recs):
    """λ=0 gap and where the best constant lies, per cell (mean over seeds)."""
    grid = [r for r in recs if r.get("grid") and r.get("finals")]
    if not grid:
        return []
    by = defaultdict(list)
    for r in grid:
        by[(json.dumps(r["vary"], sort_keys=True), r["grid"]["value"])].append(r["finals"])
    lines = ["| cell | λ | train (1k sample) | val | test | train − val |", "|---|---|---|---|---|---|"]
    for (v, lam), fs in sorted(by.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
        tr = stat([f["train_acc"] for f in fs])
        va = stat([f["val_acc"] for f in fs])
        te = stat([f["test_acc"] for f in fs])
        gap = stat([f["train_acc"] - f["val_acc"] for f in fs])
        lines.append(f"| {v} | {lam:g} | {tr[0]*100:.2f} | {va[0]*100:.2f} | {te[0]*100:.2f} | {fmt(gap)} |")
    return lines


def chosen(reps, arm):
    c = defaultdict(int)
    for (cell, a, seed), r in reps.items():
        if a == arm and r.get("grid"):
            c[r["grid"]["value"]] += 1
    return dict(sorted(c.items(), reverse=True))


def noise_floor(run_dir, recs):
    """Check-to-check jitter of the gap on constant-λ trials, late in training."""
    diffs, resid = [], []
    for r in recs:
        if not r.get("grid"):
            continue
        c = curve(run_dir, r["id"])
        if not c or len(c) < 8:
            continue
        late = c[len(c) // 2:]
        g = [row["train_acc"] - row["val_acc"] for row in late]
        diffs += [g[i + 1] - g[i] for i in range(len(g) - 1)]
        # residual around a centred 5-check moving mean
        for i in range(2, len(g) - 2):
            resid.append(g[i] - sum(g[i - 2:i + 3]) / 5)
    sd = lambda xs: math.sqrt(sum((x - sum(xs) / len(xs)) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else float("nan")
    vt = [r["finals"]["val_acc"] - r["finals"]["test_acc"] for r in recs if r.get("finals")]
    return {
        "consecutive_diff_sd": sd(diffs),
        "n_diffs": len(diffs),
        "resid_sd_5": sd(resid),
        "val_minus_test_mean": sum(vt) / len(vt) if vt else float("nan"),
        "val_minus_test_sd": sd(vt),
        "n_trials": len(vt),
    }


def convnet(run_dir, recs, reps, arm, base):
    """Validation accuracy per check, arm minus best fixed (same seed)."""
    out = defaultdict(list)
    finals = []
    for (cell, a, seed), r in reps.items():
        if a != arm:
            continue
        b = reps.get((cell, base, seed))
        if b is None:
            continue
        ca, cb = curve(run_dir, r["id"]), curve(run_dir, b["id"])
        if not ca or not cb:
            continue
        for x, y in zip(ca, cb):
            if x["iter"] == y["iter"] and x["iter"] > 0:
                out[int(x["iter"])].append(x["val_acc"] - y["val_acc"])
        finals.append(r["finals"]["test_acc"] - b["finals"]["test_acc"])
    lines = [f"- final test acc `{arm}` − best `{base}`: {fmt(stat(finals))}",
             "- val acc difference per check (points): " + "; ".join(
                 f"{it}: {fmt(stat(v))}" for it, v in sorted(out.items()))]
    return lines


def noise_splits(recs):
    """noise_floor.reg: one experiment per train/val split, λ = 0, full data."""
    by = defaultdict(list)
    for r in recs:
        if r.get("finals"):
            by[r["experiment"]].append(r["finals"])
    sd = lambda xs: math.sqrt(sum((x - sum(xs) / len(xs)) ** 2 for x in xs) / (len(xs) - 1))
    vt = [sum(f["val_acc"] - f["test_acc"] for f in fs) / len(fs) for fs in by.values()]
    gap = [sum(f["train_acc"] - f["val_acc"] for f in fs) / len(fs) for fs in by.values()]
    acc = [sum(f["test_acc"] for f in fs) / len(fs) for fs in by.values()]
    within = [f["train_acc"] - f["val_acc"] - g for fs, g in zip(by.values(), gap) for f in fs]
    return [
        f"- {len(by)} splits × {len(next(iter(by.values())))} seeds, λ = 0, 1,500 iterations; mean test acc {sum(acc) / len(acc) * 100:.2f}%",
        f"- per split (mean over seeds): val − test {', '.join(f'{x * 100:+.2f}' for x in vt)}",
        f"- sd across splits of val − test: {sd(vt) * 100:.2f} pts (1,000-image val error, plus 10,000-image test error ≈ 0.4)",
        f"- per split: train(1k sample) − val {', '.join(f'{x * 100:+.2f}' for x in gap)}",
        f"- mean {sum(gap) / len(gap) * 100:+.2f}, sd across splits {sd(gap) * 100:.2f} pts; sd across seeds within a split (samples and val fixed; the train sample is drawn per seed) {sd(within) * 100 if len(within) > 1 else float('nan'):.2f} pts",
    ]


def main(root):
    print(f"# Analysis of {root}\n")
    for run in sorted(os.listdir(root)):
        d = os.path.join(root, run)
        if not os.path.isdir(os.path.join(d, "trials")):
            continue
        recs = load(d)
        if not recs:
            continue
        if run == "noise_floor":
            print(f"## noise_floor ({len(recs)} trials)\n")
            print("\n".join(noise_splits(recs)) + "\n")
            continue
        reps = representatives(recs)
        arms = sorted({r["arm"] for r in recs})
        grid_arm = next((r["arm"] for r in recs if r.get("grid")), None)
        axes = sorted({k for r in recs for k in r["vary"]})
        wall = sum(r.get("wall_seconds", 0) for r in recs)
        print(f"## {run} ({recs[0]['experiment']}, {len(recs)} trials, scale {recs[0].get('scale')}, "
              f"{wall / 60:.1f} trial-minutes)\n")
        lines = []
        if grid_arm:
            lines.append(f"- best constant picked (on val) per cell×seed: {chosen(reps, grid_arm)}")
            for a in arms:
                if a != grid_arm:
                    lines += gain_section(run, reps, a, grid_arm, axes)
        for a in arms:
            fl = [r["final_lambda"] for r in recs if r["arm"] == a and not r.get("grid")
                  and r.get("final_lambda") is not None]
            if fl and a.startswith("gap"):
                lines.append(f"- `{a}` final λ: min {min(fl):g}, median {sorted(fl)[len(fl) // 2]:g}, max {max(fl):g} (n={len(fl)})")
        if "pull_down" in arms and "pull_up" in arms:
            lines += gain_section(run, reps, "pull_down", "pull_up", axes)
        if "gap" in arms and grid_arm and "fig4" in recs[0]["experiment"]:
            lines += convnet(d, recs, reps, "gap", grid_arm)
        print("\n".join(lines) + "\n")
        g = grid_facts(recs)
        if g:
            print("Constant λ (mean over seeds, %):\n")
            print("\n".join(g) + "\n")
        nf = noise_floor(d, recs)
        print(f"Noise: gap change between consecutive checks (late half, constant λ) sd "
              f"{nf['consecutive_diff_sd']*100:.2f} pts (n={nf['n_diffs']}); residual around a 5-check "
              f"moving mean sd {nf['resid_sd_5']*100:.2f} pts; final val − test acc mean "
              f"{nf['val_minus_test_mean']*100:+.2f}, sd {nf['val_minus_test_sd']*100:.2f} pts "
              f"(n={nf['n_trials']})\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "runs/repro")
