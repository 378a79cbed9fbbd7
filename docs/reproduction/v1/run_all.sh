#!/bin/sh
# Runs every figure experiment of docs/REPRODUCTION.md, one after the other,
# two trials side by side, and logs each run's wall time.
# Usage: docs/reproduction/run_all.sh [OUT_ROOT] [SEEDS] [SCALE]
set -u
OUT=${1:-runs/repro}
SEEDS=${2:-3}
SCALE=${3:-1}
mkdir -p "$OUT"
for f in fig1_pull_down fig1_pull_down_overfit fig2_pull_down_vs_up_overfit fig2_pull_down_vs_up \
         fig3_adaptive_mlp_overfit fig3_adaptive_mlp fig4_adaptive_cnn fig4_adaptive_cnn_overfit \
         fig8_lhalf_overfit fig8_lhalf; do
    if [ -f "$OUT/$f/summary.md" ]; then continue; fi
    # Timing benchmarks of other work need a quiet machine: wait for them.
    while pgrep -f 'examples/bench|machine_load.py' >/dev/null; do sleep 60; done
    start=$(date +%s)
    if [ -d "$OUT/$f" ]; then
        ./target/release/regime run "experiments/$f.reg" --jobs 2 --seeds "$SEEDS" --scale "$SCALE" --resume "$OUT/$f" -q
    else
        ./target/release/regime run "experiments/$f.reg" --jobs 2 --seeds "$SEEDS" --scale "$SCALE" --out "$OUT/$f" -q
    fi
    rc=$?
    end=$(date +%s)
    echo "$f rc=$rc wall_s=$((end - start)) started=$(date -u -d @"$start" +%H:%M:%S) ended=$(date -u -d @"$end" +%H:%M:%S)" >> "$OUT/walltimes.txt"
done
