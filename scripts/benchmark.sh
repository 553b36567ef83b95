#!/usr/bin/env bash
# Prints the figures that say whether Hailuo Studio is light: start time to a usable window,
# memory with all its WebKit processes (idle, and with the Library showing 1,000 generations)
# next to Debian's Chromium showing the same ui/ as a web page, CPU while 5 generations are
# polled, and the .deb's size. Builds the release app and the emulator first, then measures
# everything in one private desktop session (Xvfb, D-Bus, a throwaway keyring). Takes ~5 min
# after the build. See BENCHMARKS.md for the method and the last figures.
#
#   bash scripts/benchmark.sh [--runs N] [--cpu-seconds N] [--settle-seconds N] [--library-size N]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/install.sh

for arg in "$@"; do
  case "$arg" in
    -h | --help)
      sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
  esac
done

install_system_packages
install_rust
install_tauri_driver
if [[ -n "$(missing_packages chromium)" ]]; then
  say "Installing Debian's Chromium, to compare with"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi

# The same build as the bundler's (tauri build): release, with the UI embedded.
say "Building the release app and the emulator (cargo build --release)"
cargo build --release -p hailuo-studio --features tauri/custom-protocol
cargo build --release -p hailuo-emulator

target_dir="$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
deb="$(ls -t "$target_dir"/release/bundle/deb/*.deb 2>/dev/null | head -n 1 || true)"

say "Measuring (one private desktop session)"
dbus-run-session -- bash scripts/lib/desktop-session.sh \
  python3 scripts/lib/benchmark.py \
  --app "$target_dir/release/hailuo-studio" \
  --emulator "$target_dir/release/hailuo-emulator" \
  --ui ui \
  ${deb:+--deb "$deb"} \
  "$@"
