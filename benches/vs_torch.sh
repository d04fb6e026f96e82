#!/usr/bin/env bash
# spheres against the PyTorch reference on this CPU, side by side.
#
# spheres runs as users run it: the malloc variables are removed from its
# environment and nothing else is tuned. PyTorch gets its best CPU setup:
# fused Adam (the reference script's default) and the glibc malloc settings
# that stop its per-step page faults. The two alternate in timed windows of
# equal length, the order flipping every pair; each pair gives one ratio
# (spheres / PyTorch), and a setting's line shows the median ratio with its
# range over the pairs. Warm-up and start-up are outside the windows on both
# sides; data generation is inside them.
#
#   TORCH_PY=/tmp/torch-venv/bin/python benches/vs_torch.sh [PAIRS [SECONDS]]
#
# PAIRS (default 10) and SECONDS per window (default 4). Environment:
#   TORCH_PY      a python with torch (required)
#   TORCH_SCRIPT  the reference script (default: shared/peer/torch_spheres.py
#                 beside the repository)
#   SPHERES_BIN   a spheres binary (default: build and use target/release/spheres)
#   SETTINGS      work:model:batch:threads items (default: all below)
#   BASELINE_BIN  another spheres binary (an older build) measured in the same
#                 pairs, a third window each, for before/after ratios under the
#                 same conditions; a build whose attack benchmark times single
#                 attacks gets --repeats 8 there (about the same window)
# One line per pair goes to stderr, the table to stdout. The load columns are
# the 1-minute load average before the setting's first and after its last
# window: a series is only worth reporting when both stay low.
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-10}
seconds=${2:-4}
: "${TORCH_PY:?set TORCH_PY to a python with torch}"
script=${TORCH_SCRIPT:-../shared/peer/torch_spheres.py}
[[ -f $script ]] || script=../../shared/peer/torch_spheres.py
[[ -f $script ]] || { echo "TORCH_SCRIPT: no reference script found" >&2; exit 2; }
if [[ -z ${SPHERES_BIN:-} ]]; then
  cargo build --release -q
  SPHERES_BIN=target/release/spheres
fi
settings=${SETTINGS:-"train:relu:50:1 train:relu:50:2 train:relu:512:1 train:relu:512:2
  train:quad:50:1 train:quad:50:2 eval:relu:0:1 eval:relu:0:2 attack:relu:0:1 attack:relu:0:2"}

rate() { grep -o '"samples_per_s": *[0-9.e+-]*' | head -1 | sed 's/.*: *//'; }
load() { cut -d' ' -f1 /proc/loadavg; }

ours() { # work model batch threads [binary]
  local batch=() bin=${5:-$SPHERES_BIN} repeats=1
  [[ $1 == train ]] && batch=(--batch "$3")
  [[ $1 == attack && -n ${5:-} ]] && repeats=8
  env -u MALLOC_MMAP_THRESHOLD_ -u MALLOC_TRIM_THRESHOLD_ -u MALLOC_TOP_PAD_ -u MALLOC_ARENA_MAX \
    "$bin" bench --json --work "$1" --model "$2" "${batch[@]}" --threads "$4" \
    --repeats "$repeats" --seconds "$seconds" | rate
}

# PyTorch for about `seconds` at the last rate it showed ($5, per second):
# the window's length in its own units (steps, points).
theirs() { # work model batch threads rate
  local args
  case $1 in
    train)
      local steps
      steps=$(awk -v r="$5" -v s="$seconds" -v b="$3" 'BEGIN { n = int(r * s / b); print n < 5 ? 5 : n }')
      args=(train --model "$2" --batch "$3" --steps "$steps" --warmup $(((steps + seconds - 1) / seconds)))
      ;;
    eval)
      args=(eval --model "$2" --eval-samples "$(awk -v r="$5" -v s="$seconds" \
        'BEGIN { n = int(r * s / 10000 + 0.5); print (n < 1 ? 1 : n) * 10000 }')")
      ;;
    attack)
      args=(attack --model "$2" --attack-steps "$(awk -v r="$5" -v s="$seconds" \
        'BEGIN { n = int(r * s / 32); print n < 5 ? 5 : n }')")
      ;;
  esac
  env MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184 \
    "$TORCH_PY" "$script" "${args[@]}" --threads "$4" --repeats 1 | grep '"repeat"' | rate
}

stats() { # median min max of stdin
  sort -g | awk '{ a[NR] = $1 } END {
    m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    printf "%.4g %.4g %.4g\n", m, a[1], a[NR] }'
}

base=${BASELINE_BIN:-}
printf '%-7s %-5s %5s %7s %10s %10s %7s %11s' work model batch threads spheres torch ratio range
[[ -n $base ]] && printf ' %10s %7s %11s' before ratio0 range0
printf ' %5s %5s %5s\n' pairs load0 load1
for setting in $settings; do
  IFS=: read -r work model batch threads <<<"$setting"
  load0=$(load)
  # A short first PyTorch window only to learn its rate.
  guess=$(awk -v s="$seconds" 'BEGIN { print 1000 / s }')
  r_theirs=$(theirs "$work" "$model" "$batch" "$threads" "$guess")
  a=() b=() q=() c=() q0=()
  for i in $(seq "$pairs"); do
    z=1
    if ((i % 2)); then
      x=$(ours "$work" "$model" "$batch" "$threads")
      [[ -n $base ]] && z=$(ours "$work" "$model" "$batch" "$threads" "$base")
      y=$(theirs "$work" "$model" "$batch" "$threads" "$r_theirs")
    else
      y=$(theirs "$work" "$model" "$batch" "$threads" "$r_theirs")
      [[ -n $base ]] && z=$(ours "$work" "$model" "$batch" "$threads" "$base")
      x=$(ours "$work" "$model" "$batch" "$threads")
    fi
    r_theirs=$y
    a+=("$x") b+=("$y") q+=("$(awk -v x="$x" -v y="$y" 'BEGIN { print x / y }')")
    c+=("$z") q0+=("$(awk -v x="$z" -v y="$y" 'BEGIN { print x / y }')")
    printf '%s pair %d: spheres %.0f torch %.0f ratio %.3f' "$setting" "$i" "$x" "$y" "${q[-1]}" >&2
    [[ -n $base ]] && printf ' before %.0f ratio %.3f' "$z" "${q0[-1]}" >&2
    printf ' load %s\n' "$(load)" >&2
  done
  read -r ma _ _ < <(printf '%s\n' "${a[@]}" | stats)
  read -r mb _ _ < <(printf '%s\n' "${b[@]}" | stats)
  read -r mq lo hi < <(printf '%s\n' "${q[@]}" | stats)
  [[ $batch == 0 ]] && batch=-
  printf '%-7s %-5s %5s %7s %10.0f %10.0f %7.2f %11s' "$work" "$model" "$batch" "$threads" \
    "$ma" "$mb" "$mq" "$(printf '%.2f-%.2f' "$lo" "$hi")"
  if [[ -n $base ]]; then
    read -r mc _ _ < <(printf '%s\n' "${c[@]}" | stats)
    read -r mq0 lo0 hi0 < <(printf '%s\n' "${q0[@]}" | stats)
    printf ' %10.0f %7.2f %11s' "$mc" "$mq0" "$(printf '%.2f-%.2f' "$lo0" "$hi0")"
  fi
  printf ' %5s %5s %5s\n' "$pairs" "$load0" "$(load)"
done
