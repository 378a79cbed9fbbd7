#!/bin/sh
# Copies the summaries and the small PNG plots of finished runs into
# docs/reproduction/<run>/ and regenerates docs/reproduction/analysis.md.
# Usage: docs/reproduction/collect.sh [OUT_ROOT]
set -eu
OUT=${1:-runs/repro}
for d in "$OUT"/*/; do
    run=$(basename "$d")
    [ -f "$d/summary.md" ] || continue
    dest=docs/reproduction/$run
    mkdir -p "$dest"
    cp "$d/summary.md" "$d/summary.csv" "$dest/"
    for p in "$d"/plots/gain-*.png; do [ -f "$p" ] && cp "$p" "$dest/"; done
    case $run in
        fig4*) for p in "$d"/plots/val-acc-*.png "$d"/plots/lambda-*.png; do [ -f "$p" ] && cp "$p" "$dest/"; done ;;
    esac
done
[ -f "$OUT/walltimes.txt" ] && cp "$OUT/walltimes.txt" docs/reproduction/
python3 docs/reproduction/analyze.py "$OUT" > docs/reproduction/analysis.md
du -sh docs/reproduction
