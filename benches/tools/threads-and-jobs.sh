#!/usr/bin/env bash
# Measures what issue 9's determinism and issue 11's thread goals are about,
# on a quiet machine, printing markdown rows:
#  1. one trial's step on 1 and 2 threads at hidden 500/1000/2000 (the
#     profile_step example: 784-H-10, batch 200, SGD momentum, L2), with the
#     kernel regime's self-test chose;
#  2. optionally the same with an older build given as OLD_PROFILE_STEP (e.g.
#     one from before the deterministic tiling, where OpenBLAS threaded each
#     product itself), to price the determinism;
#  3. an 8-trial sweep with --jobs 1 and --jobs 2 (trials per hour), each
#     trial on one thread, and --jobs 1 with two threads per trial.
# Usage: benches/tools/threads-and-jobs.sh [KERNEL]   (default SkylakeX)
set -euo pipefail
cd "$(dirname "$0")/../.."
kernel="${1:-SkylakeX}"
cargo build --release --quiet --example profile_step
cargo build --release --quiet
step=target/release/examples/profile_step
env_best=(env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE="$kernel")

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rate() { # binary threads hidden -> median examples/s of 3 runs
  for _ in 1 2 3; do
    OPENBLAS_NUM_THREADS=$2 "${env_best[@]}" "$1" mlp 784 "$3" 300 "$2" | sed -E 's/.* ([0-9]+) ex\/s.*/\1/'
  done | median
}

echo "| hidden | 1 thread (ex/s) | 2 threads (ex/s) | 2 / 1 |${OLD_PROFILE_STEP:+ before tiling, 2 threads (ex/s) | tiled / before |}"
echo "|---|---|---|---|${OLD_PROFILE_STEP:+---|---|}"
for h in 500 1000 2000; do
  one=$(rate "$step" 1 "$h"); two=$(rate "$step" 2 "$h")
  row="| $h | $one | $two | $(awk "BEGIN{printf \"%.2f\", $two/$one}") |"
  if [ -n "${OLD_PROFILE_STEP:-}" ]; then
    old=$(rate "$OLD_PROFILE_STEP" 2 "$h")
    row="$row $old | $(awk "BEGIN{printf \"%.2f\", $two/$old}") |"
  fi
  echo "$row"
done

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/sweep.reg" <<REG
data fm = fashion_mnist(val: 1000, subset: 10000, normalize: mean_image)
network mlp(hidden = 500) { dense(hidden) relu dense(10) }
experiment sweep {
  data: fm
  network: mlp(500)
  optimizer: sgd(lr: 1e-3, momentum: 0.9)
  batch: 200
  iters: 1000
  checks: every 250 iters
  arm fixed: lambda = grid([1e-3, 3e-4, 1e-4, 0.0])
  seeds: 2
}
REG
echo
echo "| 8-trial sweep | wall (s) | trials per hour | vs --jobs 1 --threads 1 |"
echo "|---|---|---|---|"
base=""
# Sweeps scale by running trials side by side (one thread each); the middle
# row is the alternative use of the two cores: one trial at a time on both.
for opts in "--jobs 1 --threads 1" "--jobs 1 --threads 2" "--jobs 2 --threads 1"; do
  out="$tmp/$(echo "$opts" | tr -d ' -')"
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  ./target/release/regime run "$tmp/sweep.reg" -q $opts --out "$out" >/dev/null 2>&1
  wall=$(awk "BEGIN{print $(date +%s.%N) - $start}")
  per_hour=$(awk "BEGIN{printf \"%.0f\", 8 * 3600 / $wall}")
  base=${base:-$per_hour}
  echo "| $opts | $(printf %.1f "$wall") | $per_hour | $(awk "BEGIN{printf \"%.2f\", $per_hour/$base}") |"
done
