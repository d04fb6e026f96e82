#!/usr/bin/env bash
# Training throughput of spheres vs the PyTorch reference on this CPU, in
# one run: both sides alternate in short windows (the host's speed drifts
# between windows) and the medians are compared.
#
#   TORCH_PY=/path/to/venv/bin/python TORCH_SCRIPT=/path/to/torch_spheres.py benches/vs_torch.sh [rounds]
#
# The reference script takes `train --model M --batch B --threads T` and
# prints one JSON line per repeat with `samples_per_s`.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
: "${TORCH_PY:?set TORCH_PY to a python with torch}"
: "${TORCH_SCRIPT:?set TORCH_SCRIPT to the PyTorch reference script}"
export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184
cargo build --release -q
bin=target/release/spheres
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf '%-6s %6s %8s %12s %12s %7s\n' model batch threads spheres torch ratio
for setting in "relu 50 1" "relu 512 1" "relu 512 2" "quad 50 1" "quad 50 2"; do
  read -r model batch threads <<<"$setting"
  ours=() theirs=()
  for _ in $(seq "$rounds"); do
    ours+=("$($bin bench --json --model "$model" --batch "$batch" --threads "$threads" --repeats 1 --seconds 3 |
      sed -E 's/.*"samples_per_s":([0-9.e+-]+).*/\1/')")
    theirs+=("$("$TORCH_PY" "$TORCH_SCRIPT" train --model "$model" --batch "$batch" --threads "$threads" \
      --steps $((150000 / batch)) --warmup $((5000 / batch)) --repeats 1 | grep "\"repeat\"" |
      sed -E 's/.*"samples_per_s": *([0-9.e+-]+).*/\1/')")
  done
  a=$(printf '%s\n' "${ours[@]}" | median)
  b=$(printf '%s\n' "${theirs[@]}" | median)
  printf '%-6s %6s %8s %12.0f %12.0f %7.2f\n' "$model" "$batch" "$threads" "$a" "$b" "$(echo "$a / $b" | bc -l)"
done
