#!/usr/bin/env python3
"""Mean final accuracies per (experiment, axes, grid λ) of pilot runs, from
their trial records: the numbers docs/reproduction/pilots/README.md quotes.

Usage: python3 docs/reproduction/pilots/means.py RESULTS_DIR...
"""
import collections
import glob
import json
import sys

for root in sys.argv[1:]:
    groups = collections.defaultdict(list)
    for path in glob.glob(f"{root}/trials/*.json"):
        r = json.load(open(path))
        key = (r["experiment"], json.dumps(r["vary"], sort_keys=True), r["grid"]["value"])
        groups[key].append(r["finals"])
    print(f"## {root}\n")
    print("| experiment | axes | λ | n | train | val | test |")
    print("|---|---|---|---|---|---|---|")
    for (exp, axes, lam), finals in sorted(groups.items()):
        mean = lambda k: 100 * sum(f[k] for f in finals) / len(finals)
        print(f"| {exp} | {axes} | {lam:g} | {len(finals)} | {mean('train_acc'):.2f} "
              f"| {mean('val_acc'):.2f} | {mean('test_acc'):.2f} |")
    print()
