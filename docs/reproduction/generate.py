#!/usr/bin/env python3
"""Regenerates the measured parts of docs/REPRODUCTION.md from the results.

Every number in a generated block comes from a results directory under
docs/reproduction/runs/: the statistics from the `summary.csv` that
`regime report` wrote (adjusted p, verdicts, intervals and MDEs are
regime's, never recomputed here), the contrasts between arms from its
`contrasts.csv` where the run has one, the gains along the way (claim 6)
from its `along.csv` where the run has one, the picked constants from
`baseline_choices.csv`, and the provenance (build, BLAS kernel, data
fingerprints) from the trial records themselves. The prose around the
blocks is written by hand and must not quote numbers.

A block is the text between `<!-- gen:KEY -->` and `<!-- /gen:KEY -->`.
`--check` exits 1 when REPRODUCTION.md differs from what the records give,
so the document cannot drift from its records. `--doc PATH` and
`--runs DIR` point it elsewhere (the tests do).

Python standard library only: this runs on a fresh machine.
"""

import csv
import glob
import json
import os
import re
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = os.path.join(HERE, "runs")
DOC = os.path.join(HERE, "..", "REPRODUCTION.md")

# The runs of reproduction v2, in the order scripts/reproduce runs them:
# (results directory under runs/, experiment file under experiments/).
RUN_ORDER = [
    "fig12_schedules",
    "fig12_schedules_overfit",
    "fig3_adaptive_mlp",
    "fig3_adaptive_mlp_overfit",
    "fig8_lhalf",
    "fig8_lhalf_overfit",
    "fig4_adaptive_cnn",
    "fig4_adaptive_cnn_overfit",
    "fig3_gap_sensitivity",
    "appendix_modern",
]


def measures(run_dir):
    """The measure of every experiment of the run, from its plan."""
    with open(os.path.join(run_dir, "plan.yaml"), encoding="utf-8") as f:
        return set(re.findall(r"^  measure: (\S+)$", f.read(), flags=re.M))


def planned_trials(run_dir):
    """How many trials the run's plan holds (one `  - id:` line each)."""
    path = os.path.join(run_dir, "plan.yaml")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return sum(1 for line in f if line.startswith("  - id: "))


def records(run_dir):
    out = []
    for path in sorted(glob.glob(os.path.join(run_dir, "trials", "*.json"))):
        with open(path, encoding="utf-8") as f:
            out.append(json.load(f))
    return out


def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def vary_label(vary):
    """`hidden 200, each 1000 iters` from a record's `vary` map."""
    parts = []
    for name in sorted(vary):
        value = vary[name]
        if isinstance(value, dict) and len(value) == 1:
            (unit, amount), = value.items()
            value = f"{amount} {unit}"
        parts.append(f"{name} {value}")
    return ", ".join(parts) or "–"


def points(x, signed=True):
    """A fraction as percentage points, two decimals; `–` where regime left
    the value out (too few units for an interval, a test or an MDE)."""
    if x == "":
        return "–"
    if x == "inf":
        return "∞"  # an MDE where the exact test of so few units cannot reject
    return f"{float(x) * 100:+.2f}" if signed else f"{float(x) * 100:.2f}"


def number(x):
    return "–" if x == "" else f"{float(x):.3g}"


def iters(x):
    """An iteration count (a restricted mean or its interval end)."""
    return "–" if x == "" else f"{float(x):.0f}"


def measured_table(run, rows, cells):
    """One row per (experiment, cell, arm) compared with the baseline."""
    out = [
        "| experiment | cell | arm | n | gain (points) [95% CI] | simultaneous | "
        "p adj | verdict | MDE (points) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r["baseline"] == "true" or not r["gain"]:
            continue
        cell = cells.get((r["experiment"], r["cell"]), "–")
        out.append(
            f"| {r['experiment']} | {cell} | {r['arm']} | {r['n']} | "
            f"{points(r['gain'])} [{points(r['gain_ci_low'])}, {points(r['gain_ci_high'])}] | "
            f"[{points(r['gain_sim_ci_low'])}, {points(r['gain_sim_ci_high'])}] | "
            f"{number(r['p_adj'])} | {r['verdict'] or '–'} | {points(r['mde'], signed=False)} |"
        )
    return out


def contrast_verdict(r):
    """A contrast's verdict with the better arm named (`contrasts.csv` says
    `arm_a better` or `arm_b better`)."""
    side = {"arm_a better": "arm_a", "arm_b better": "arm_b"}.get(r["verdict"])
    return f"{r[side]} better" if side else (r["verdict"] or "–")


def difference_cells(r, verdict, value="diff"):
    """The columns every difference table ends with: n, the difference in
    points with its 95% and simultaneous intervals, p adj, verdict, MDE
    (the conventions of `contrasts.csv`, `trends.csv` and `along.csv`)."""
    return (
        f"{r['n']} | {points(r[value])} [{points(r['ci_low'])}, {points(r['ci_high'])}] | "
        f"[{points(r['sim_ci_low'])}, {points(r['sim_ci_high'])}] | "
        f"{number(r['p_adj'])} | {verdict} | {points(r['mde'], signed=False)} |"
    )


def contrast_table(rows, cells):
    """Claim 4: one row per (experiment, cell, pair of arms), the paired
    difference a − b with regime's test, Holm-adjusted over the contrasts."""
    out = [
        "",
        "| experiment | cell | a − b | n | difference (points) [95% CI] | simultaneous | "
        "p adj | verdict | MDE (points) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if not r["diff"]:
            continue  # a cell with no complete pair yet (a partial run)
        cell = cells.get((r["experiment"], r["cell"]), "–")
        out.append(
            f"| {r['experiment']} | {cell} | {r['arm_a']} − {r['arm_b']} | "
            + difference_cells(r, contrast_verdict(r))
        )
    return out


def contrast_verdict_line(rows):
    """Per pair of arms, how many cells got each adjusted verdict."""
    counts = defaultdict(Counter)
    for r in rows:
        if r["verdict"]:
            counts[(r["experiment"], r["arm_a"], r["arm_b"])][contrast_verdict(r)] += 1
    return [
        f"- `{exp}` `{a}` − `{b}`, paired within (split, seed): "
        + ", ".join(f"{v} in {n} cell{'s' if n > 1 else ''}" for v, n in sorted(c.items()))
        for (exp, a, b), c in sorted(counts.items())
    ]


def trend_label(r):
    """`hidden 50 → 800 (each 250 iters)`: the axis, its ends and the other
    axes' values (`trends.csv` writes them `each=250 iters; lr=0.1`), as
    `summary.md` labels a trend."""
    out = f"{r['axis']} {r['from']} → {r['to']}"
    if not r["fixed"]:
        return out
    fixed = [" ".join(part.partition("=")[::2]) for part in r["fixed"].split("; ")]
    return f"{out} ({', '.join(fixed)})"


def trend_table(rows):
    """Claims 2, 3, 5 and 7: one row per (experiment, arm, axis, values of
    the other axes), gain(last) − gain(first) with regime's test,
    Holm-adjusted over the trends (`trends.csv`)."""
    out = [
        "",
        "| experiment | arm | trend | n | difference (points) [95% CI] | simultaneous | "
        "p adj | verdict | MDE (points) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if not r["diff"]:
            continue  # no unit complete at both ends yet (a partial run)
        out.append(
            f"| {r['experiment']} | {r['arm']} | {trend_label(r)} | "
            + difference_cells(r, r["verdict"] or "–")
        )
    return out


def trend_verdict_line(rows):
    """Per (experiment, arm, axis), how many trends got each adjusted verdict."""
    counts = defaultdict(Counter)
    for r in rows:
        if r["verdict"]:
            counts[(r["experiment"], r["arm"], r["axis"])][r["verdict"]] += 1
    return [
        f"- `{exp}` `{arm}`, gain at the last `{axis}` minus the first: "
        + ", ".join(f"{v} {n} time{'s' if n > 1 else ''}" for v, n in sorted(c.items()))
        for (exp, arm, axis), c in sorted(counts.items())
    ]


def time_to_target_table(rows, cells):
    """Claim 6: iterations to the baseline's final validation accuracy
    (Kaplan–Meier restricted mean, non-arrivals censored) and the ratio arm /
    baseline with its bootstrap interval, as `regime report` computed them."""
    out = [
        "",
        "| experiment | cell | arm | iterations to target [95% CI] | arrived | ratio to baseline [95% CI] |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        if not r["tta_rmst"]:
            continue
        ratio = "–" if not r["tta_ratio"] else (
            f"{float(r['tta_ratio']):.2f} [{float(r['tta_ratio_ci_low']):.2f}, {float(r['tta_ratio_ci_high']):.2f}]"
        )
        out.append(
            f"| {r['experiment']} | {cells.get((r['experiment'], r['cell']), '–')} | {r['arm']} | "
            f"{iters(r['tta_rmst'])} [{iters(r['tta_rmst_ci_low'])}, {iters(r['tta_rmst_ci_high'])}] | "
            f"{r['tta_arrived']} of {r['tta_units']} | {ratio} |"
        )
    return out


def quarter(x):
    """A fraction of the budget as a percentage: `25%`."""
    return f"{float(x) * 100:g}%"


def along_verdict_line(rows):
    """Per arm and quarter of the budget, how many cells got each adjusted
    verdict on the gain in validation accuracy."""
    counts = defaultdict(Counter)
    for r in rows:
        if r["verdict"]:
            counts[(r["experiment"], r["arm"], float(r["quarter"]))][r["verdict"]] += 1
    return [
        f"- `{exp}` `{arm}` against the validation-picked constant, validation accuracy at "
        f"{quarter(q)} of the budget: "
        + ", ".join(f"{v} in {n} cell{'s' if n > 1 else ''}" for v, n in sorted(c.items()))
        for (exp, arm, q), c in sorted(counts.items())
    ]


def along_table(rows, cells):
    """Claim 6: the paired gain in validation accuracy at each quarter of
    the budget (`along.csv`), Holm-adjusted over its own family."""
    out = [
        "",
        "| experiment | cell | arm | at | iteration | n | val. acc. gain (points) [95% CI] | "
        "simultaneous | p adj | verdict | MDE (points) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cell = cells.get((r["experiment"], r["cell"]), "–")
        out.append(
            f"| {r['experiment']} | {cell} | {r['arm']} | {quarter(r['quarter'])} | {r['iter']} | "
            + difference_cells(r, r["verdict"] or "–", value="gain")
        )
    return out


def final_lambda_table(recs, cells):
    """Where the feedback arms left λ (their policy fired at least once in
    some trial): the mechanism behind a claim-5 or claim-6 verdict."""
    groups = defaultdict(list)
    for r in recs:
        if r.get("grid") is None and r["status"] == "ok":
            groups[(r["experiment"], str(r["cell"]), r["arm"])].append(r)
    rows = []
    for key in sorted(groups, key=lambda k: (k[0], int(k[1]), k[2])):
        trials = groups[key]
        if not any(t["fired"] for t in trials):
            continue
        lams = sorted(t["final_lambda"] for t in trials)
        median = lams[len(lams) // 2] if len(lams) % 2 else (lams[len(lams) // 2 - 1] + lams[len(lams) // 2]) / 2
        rows.append(
            f"| {key[0]} | {cells.get(key[:2], '–')} | {key[2]} | {len(lams)} | "
            f"{lams[0]:.3g} | {median:.3g} | {lams[-1]:.3g} |"
        )
    if not rows:
        return []
    return ["", "| experiment | cell | arm | n | final λ min | median | max |", "|---|---|---|---|---|---|---|"] + rows


def picked_table(choices, cells):
    """How often each constant was the validation-picked baseline, per cell."""
    counts = defaultdict(Counter)
    for c in choices:
        counts[(c["experiment"], c["cell"])][c["lambda"]] += 1
    out = ["", "| experiment | cell | λ picked on validation (times) |", "|---|---|---|"]
    for key in sorted(counts, key=lambda k: (k[0], int(k[1]))):
        picks = ", ".join(f"{lam} ({n})" for lam, n in sorted(counts[key].items(), key=lambda kv: -float(kv[0])))
        out.append(f"| {key[0]} | {cells.get(key, '–')} | {picks} |")
    return out


def grid_means_table(recs, cells):
    """Mean final accuracies (percent) of every grid constant, per cell: where
    the best constant lies, and where λ stops helping and starts to cost."""
    groups = defaultdict(list)
    for r in recs:
        if r.get("grid") and r["status"] == "ok":
            key = (r["experiment"], str(r["cell"]), r["grid"]["value"])
            groups[key].append(r["finals"])
    if not groups:
        return []
    out = ["", "| experiment | cell | constant λ | n | train | val | test |", "|---|---|---|---|---|---|---|"]
    for key in sorted(groups, key=lambda k: (k[0], int(k[1]), -k[2])):
        finals = groups[key]

        def mean(name):
            return 100 * sum(f[name] for f in finals) / len(finals)

        out.append(
            f"| {key[0]} | {cells.get(key[:2], '–')} | {key[2]:g} | {len(finals)} | "
            f"{mean('train_acc'):.2f} | {mean('val_acc'):.2f} | {mean('test_acc'):.2f} |"
        )
    return out


def run_block(run):
    """The generated block of one run: completeness, table, picks, plots."""
    run_dir = os.path.join(RUNS, run)
    planned = planned_trials(run_dir)
    if planned is None:
        return [f"`{run}`: not run yet (`scripts/reproduce {run}` runs it)."]
    recs = records(run_dir)
    cells = {(r["experiment"], str(r["cell"])): vary_label(r["vary"]) for r in recs}
    lines = [f"`{run}`: {len(recs)} of {planned} trials complete."]
    if len(recs) < planned:
        lines[0] += " **Partial: the statistics below use the complete splits only and are not verdicts yet.**"
    # Gains are printed as percentage points: only accuracies are fractions.
    wrong = {m for m in measures(run_dir) if not m.endswith("_acc")}
    if wrong:
        sys.exit(f"{run}: measure {', '.join(sorted(wrong))} is not an accuracy; the tables print points")
    rows = read_csv(os.path.join(run_dir, "summary.csv"))
    if not rows:
        lines.append("No summary yet (`regime report` writes it).")
        return lines
    lines += [""] + verdict_line(rows) + [""]
    lines += measured_table(run, rows, cells)
    contrasts = read_csv(os.path.join(run_dir, "contrasts.csv"))
    if contrasts:
        lines += [""] + contrast_verdict_line(contrasts) + contrast_table(contrasts, cells)
    trends = read_csv(os.path.join(run_dir, "trends.csv"))
    if trends:
        lines += [""] + trend_verdict_line(trends) + trend_table(trends)
    if run.startswith("fig4"):
        lines += time_to_target_table(rows, cells)
    along = read_csv(os.path.join(run_dir, "along.csv"))
    if run.startswith("fig4_") and along:
        lines += [""] + along_verdict_line(along) + along_table(along, cells)
    lines += final_lambda_table(recs, cells)
    lines += picked_table(read_csv(os.path.join(run_dir, "baseline_choices.csv")), cells)
    lines += grid_means_table(recs, cells)
    plots = sorted(glob.glob(os.path.join(run_dir, "plots", "*.png")))
    if plots:
        links = ", ".join(
            f"[{os.path.basename(p)[:-4]}](reproduction/runs/{run}/plots/{os.path.basename(p)})"
            for p in plots
        )
        lines += ["", f"Plots: {links}."]
    return lines


def provenance_block():
    """Build, BLAS and data of every record of every run, stated once."""
    builds, kernels, data = Counter(), Counter(), Counter()
    for run in RUN_ORDER:
        for r in records(os.path.join(RUNS, run)):
            p = r["provenance"]
            builds[p["build"]["commit"]] += 1
            kernels[f"{p['blas']['kernel']} ({p['blas']['library']})"] += 1
            for f in p["data"]["files"]:
                data[f"`{os.path.basename(f['path'])}` sha256 {f['sha256'][:16]}…"] += 1
    if not builds:
        return ["No records yet."]

    def listing(counter):
        return "; ".join(f"{k} ({n} trials)" for k, n in sorted(counter.items()))

    return [
        f"- regime commit: {listing(builds)}",
        f"- BLAS kernel: {listing(kernels)}",
        f"- data files read: {listing(data)}",
    ]


def status_block():
    """One line per run: how far it is, so a partial result is never read
    as a finished one."""
    out = ["| run | experiment file | trials complete |", "|---|---|---|"]
    for run in RUN_ORDER:
        run_dir = os.path.join(RUNS, run)
        planned = planned_trials(run_dir)
        done = "not run yet" if planned is None else f"{len(records(run_dir))} of {planned}"
        out.append(f"| `{run}` | [`experiments/{run}.reg`](../experiments/{run}.reg) | {done} |")
    return out


def verdict_line(rows):
    """Per arm, how many cells got each adjusted verdict."""
    counts = defaultdict(Counter)
    for r in rows:
        if r["baseline"] != "true" and r["verdict"]:
            counts[(r["experiment"], r["arm"])][r["verdict"]] += 1
    return [
        f"- `{exp}` `{arm}` against the validation-picked constant: "
        + ", ".join(f"{v} in {n} cell{'s' if n > 1 else ''}" for v, n in sorted(c.items()))
        for (exp, arm), c in sorted(counts.items())
    ]


def blocks():
    out = {f"run:{run}": run_block(run) for run in RUN_ORDER}
    out["status"] = status_block()
    out["provenance"] = provenance_block()
    return out


def render(doc, generated):
    def fill(match):
        key = match.group(1)
        if key not in generated:
            sys.exit(f"REPRODUCTION.md names an unknown block `{key}`")
        body = "\n".join(generated[key])
        return f"<!-- gen:{key} -->\n{body}\n<!-- /gen:{key} -->"

    return re.sub(r"<!-- gen:(\S+) -->.*?<!-- /gen:\1 -->", fill, doc, flags=re.S)


def main():
    global RUNS, DOC
    args = sys.argv[1:]
    check = "--check" in args
    for flag in ("--doc", "--runs"):
        if flag in args:
            value = os.path.abspath(args[args.index(flag) + 1])
            if flag == "--doc":
                DOC = value
            else:
                RUNS = value
    with open(DOC, encoding="utf-8") as f:
        doc = f.read()
    generated = blocks()
    missing = [k for k in generated if f"<!-- gen:{k} -->" not in doc]
    if missing:
        sys.exit(f"REPRODUCTION.md lacks the blocks: {', '.join(missing)}")
    new = render(doc, generated)
    if check:
        if new != doc:
            print(f"{DOC} differs from its records in {RUNS}; run docs/reproduction/generate.py")
            sys.exit(1)
        return
    if new != doc:
        tmp = DOC + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(new)
        os.replace(tmp, DOC)


if __name__ == "__main__":
    main()
