#!/usr/bin/env bash
# Theil–Sen slope and Mann–Kendall test of a 240-month N×N stack (default 200): climidx trend
# (native CPU and --device software) against pymannkendall's per-pixel original_test on a
# subset of PIXELS pixels (default 2000), extrapolated; wall time and peak RSS.
# Needs a venv with pymannkendall and netCDF4:
#   VENV=/tmp/venv-spi bash bench/trend/run.sh [N] [PIXELS]
# (N = 2000 is the 20-year 2000×2000 case: a 3.8 GB stack, written month by month.)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(realpath "${BIN:-target/release/climidx}")"
work="$(mktemp -d)"
cd "$work"
n="${1:-200}"
pixels="${2:-2000}"
"$VENV/bin/python" "$here/make_stack.py" "$n" $(( (pixels + n - 1) / n ))
for dev in cpu software; do
  rm -rf o
  /usr/bin/time -f "climidx $dev: wall %e s, peak RSS %M KB" "$bin" trend ndvi.nc:ndvi -o o --device "$dev" -q
done
"$VENV/bin/python" "$here/pymannkendall_trend.py" "$pixels" "$n"
rm -rf "$work"
