#!/usr/bin/env bash
# Theil–Sen slope and Mann–Kendall test of a 240-month N×N stack (default 200): climidx trend
# (native CPU and --device software) against pymannkendall's per-pixel original_test on a
# subset of PIXELS pixels (default 2000), extrapolated; wall time and peak RSS.
# Needs a venv with pymannkendall and netCDF4:
#   VENV=/tmp/venv-spi bash bench/trend/run.sh [N] [PIXELS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(realpath "${BIN:-target/release/climidx}")"
work="$(mktemp -d)"
cd "$work"
"$VENV/bin/python" "$here/make_stack.py" "${1:-200}"
for dev in cpu software; do
  rm -rf o
  /usr/bin/time -f "climidx $dev: wall %e s, peak RSS %M KB" "$bin" trend ndvi.nc:ndvi -o o --device "$dev" -q
done
"$VENV/bin/python" "$here/pymannkendall_trend.py" "${2:-2000}"
rm -rf "$work"
