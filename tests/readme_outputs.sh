#!/usr/bin/env bash
# Runs every `climidx …` command line of the README (and the quick-start `cargo run` line) with
# the binary given, once per device, in a fresh folder, and prints one line per output file:
# `DEVICE SHA256 NAME`, then the exit status of every command. Two builds whose listings are
# equal wrote bit-identical files for every README command (used to check that a refactor
# changes no output):
#
#   bash tests/readme_outputs.sh target/release/climidx cpu software > before.txt
#   ...change, rebuild...
#   bash tests/readme_outputs.sh target/release/climidx cpu software > after.txt
#   diff before.txt after.txt
#
# Commands naming files that are not shipped fail the same way in both runs and are listed
# with their exit status, so a change in what fails shows up too.
set -uo pipefail
bin="$(realpath "$1")"
shift
devices=("${@:-cpu}")
root="${CLIMIDX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}"

mapfile -t lines < <(
  sed -n '/^```sh$/,/^```$/p' "$root/README.md" |
    sed -e 's/[[:space:]]\+#[[:space:]].*$//' |
    grep -E '^(climidx|cargo run --release --) ' |
    sed -e 's/^cargo run --release -- /climidx /'
)

for dev in "${devices[@]}"; do
  work="$(mktemp -d)"
  ln -s "$root/assets" "$work/assets"
  i=0
  for line in "${lines[@]}"; do
    i=$((i + 1))
    sub="$(awk '{print $2}' <<<"$line")"
    extra=()
    case "$sub" in
      index | lst | expr | climatology | anomaly | vhi | trend | spi) extra=(--device "$dev") ;;
    esac
    # Word splitting and globbing as the README reader's shell does them, in the work folder.
    (cd "$work" && eval "set -- ${line#climidx }" && "$bin" "$@" "${extra[@]}" >/dev/null 2>&1)
    echo "$dev status $i $? $sub"
  done
  (cd "$work" && find . -path ./assets -prune -o -type f -print | sort | while read -r f; do
    echo "$dev $(sha256sum "$f" | cut -d' ' -f1) $f"
  done)
  rm -rf "$work"
done
