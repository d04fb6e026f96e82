#!/usr/bin/env bash
# Where a training step's time goes: `perf record` on `spheres bench --work
# train` for one setting, the samples grouped by symbol into the optimiser,
# the matrix products (faer and its kernels), data generation, the kernel
# and the rest (percent of all samples, the warm-up second included). Code
# inlined into Trainer::step (the loss, the finiteness check of the
# gradients) counts as the rest and is listed with every other symbol of at
# least 0.5%.
#
#   benches/profile_step.sh MODEL BATCH THREADS [SECONDS]   e.g. relu 50 1
#
# SPHERES_BIN picks the binary (default target/release/spheres); extra
# environment (e.g. the malloc variables) passes through unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${SPHERES_BIN:-target/release/spheres}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
perf record -q -F 1999 -o "$out/perf.data" -- "$bin" bench --work train --model "$1" --batch "$2" \
  --threads "$3" --repeats 1 --seconds "${4:-4}" >"$out/bench.txt" 2>/dev/null
sed -n 2p "$out/bench.txt"
perf report -q -i "$out/perf.data" --no-children --sort symbol 2>/dev/null | awk '
  { p = $1; sub("%", "", p); kern = $2 == "[k]"; $1 = ""; $2 = ""; s = $0
    if (kern) k = "kernel"
    else if (s ~ /Optimizer::step|adam_/) k = "optimiser"
    else if (s ~ /gemm|faer|matmul|millikernel|pulp/) k = "gemm"
    else if (s ~ /fill_direction|sample_point|fill_points|StandardNormal|ziggurat|xoshiro|Xoshiro|rng_for/) k = "data"
    else k = "other"
    t[k] += p; if (k == "other" && p >= 0.5) o = o sprintf("  %5.1f%% %s\n", p, s) }
  END { printf "optimiser %.1f%%  gemm %.1f%%  data %.1f%%  kernel %.1f%%  other %.1f%%\n",
          t["optimiser"], t["gemm"], t["data"], t["kernel"], t["other"]; printf "%s", o }'
