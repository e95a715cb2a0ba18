#!/usr/bin/env bash
# Temporal smoothing (README "Temporal smoothing"): climatology --period month and trend with
# and without --smooth on a 120-month N×N stack (default 600), wall time and peak RSS.
#   bash bench/smooth/run.sh [N]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(realpath "${BIN:-target/release/climidx}")"
work="$(mktemp -d)"
cd "$work"
/usr/bin/python3 "$here/make_stack.py" "${1:-600}"
run() { rm -rf o; /usr/bin/time -f "$*: wall %e s, peak RSS %M KB" "$bin" "$@" -o o -q; }
for s in "" "--smooth savgol:7:2" "--smooth 4253h"; do
  run climatology --manifest stack.csv --period month $s --device cpu
  run trend --manifest stack.csv $s --device cpu
done
run climatology --manifest stack.csv --period month --smooth savgol:7:2 --mem-limit 96 --device cpu
run climatology --manifest stack.csv --period month --smooth savgol:7:2 --device software
rm -rf "$work"
