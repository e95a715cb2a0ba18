#!/usr/bin/env bash
# SPI-1/3/12 of a synthetic 240-month gamma stack of N×N pixels (default 200): climidx (native CPU
# and --device software) against climate_indices' vectorised spatial path, wall time and peak RSS.
# Needs a venv with climate-indices and netCDF4 (tests/fixtures/make_spi_refs.py says how):
#   VENV=/tmp/venv-spi bash bench/spi/run.sh [N] [ROWS]
# climate_indices runs on the first ROWS rows (default: all) and is extrapolated to N×N: at
# N = 2000 its vectorised path would need ~100 GiB (ROWS = 125 is 250 000 pixels).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(realpath "${BIN:-target/release/climidx}")"
work="$(mktemp -d)"
cd "$work"
n="${1:-200}"
"$VENV/bin/python" "$here/make_stack.py" "$n" "${2:-$n}"
for dev in cpu software; do
  rm -rf o
  /usr/bin/time -f "climidx $dev: wall %e s, peak RSS %M KB" "$bin" spi pr.nc:pr --scale-months 1,3,12 \
    --calibration 2001-2020 --months 2020-07 -o o --device "$dev" -q
done
"$VENV/bin/python" "$here/climate_indices_spi.py" "$n" 2>/dev/null | tail -1
rm -rf "$work"
