#!/usr/bin/env bash
# Does a spheres build's training speed depend on glibc's malloc variables?
# Each binary given runs with and without MALLOC_MMAP_THRESHOLD_ /
# MALLOC_TRIM_THRESHOLD_ (the settings benches/vs_torch.sh gives PyTorch),
# all configurations alternating in equal windows; medians and ranges of
# samples/s per configuration.
#
#   benches/malloc_sensitivity.sh ROUNDS SECONDS BIN... (e.g. 8 3 old/spheres target/release/spheres)
# MODEL, BATCH, THREADS: the training setting (default relu 50 1).
set -euo pipefail
rounds=$1 seconds=$2
shift 2
declare -A runs
for r in $(seq "$rounds"); do
  for bin in "$@"; do
    for vars in plain malloc; do
      if [[ $vars == malloc ]]; then
        env=(env MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184)
      else
        env=(env -u MALLOC_MMAP_THRESHOLD_ -u MALLOC_TRIM_THRESHOLD_)
      fi
      x=$("${env[@]}" "$bin" bench --json --work train --model "${MODEL:-relu}" --batch "${BATCH:-50}" \
        --threads "${THREADS:-1}" --repeats 1 --seconds "$seconds" |
        grep -o '"samples_per_s": *[0-9.e+-]*' | sed 's/.*: *//')
      runs["$bin $vars"]+="$x "
      echo "round $r $bin $vars $x load $(cut -d' ' -f1 /proc/loadavg)" >&2
    done
  done
done
for key in "${!runs[@]}"; do
  printf '%s\n' ${runs[$key]} | sort -g | awk -v k="$key" '{ a[NR] = $1 } END {
    m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    printf "%-60s median %7.0f  range %.0f-%.0f\n", k, m, a[1], a[NR] }'
done | sort
