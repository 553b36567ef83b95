#!/usr/bin/env bash
# Prints the figures that say whether Hailuo Studio is light: start time to a usable window,
# memory with all its WebKit processes (idle, and with the Library showing 1,000 generations)
# next to Debian's Chromium showing the same ui/ as a web page, CPU while 5 generations are
# polled, and the .deb's size. Builds the release app and the emulator first, then measures
# everything in one private desktop session (Xvfb, D-Bus, a throwaway keyring). Takes ~5 min
# after the build. It starts with the lag from a service finishing to a playable video (a poll
# simulation on a paused clock, and the real tail against the loopback emulator; no window),
# which `--lag-only` runs alone (~1 min after its build). See BENCHMARKS.md for the method and
# the last figures.
#
#   bash scripts/benchmark.sh [--lag-only] [--runs N] [--cpu-seconds N] [--settle-seconds N] [--library-size N]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/install.sh

lag_only=false
passthrough=()
for arg in "$@"; do
  case "$arg" in
    -h | --help)
      sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    --lag-only) lag_only=true ;;
    *) passthrough+=("$arg") ;;
  esac
done

# Issue 20 section 1: the service has finished -> the video plays in the app. Core examples,
# release builds, no window: the simulation of every poll schedule (mixed services, all 20 at one
# MiniMax region, 3 there, a steadier service), then the real tail for a 1080P 6 s clip.
lag_section() {
  say "Lag: the service has finished -> the video plays (cargo run --release, examples)"
  cargo build --release -q -p hailuo-core --example poll_lag_bench --example finish_tail_bench
  cargo run --release -q -p hailuo-core --example poll_lag_bench
  cargo run --release -q -p hailuo-core --example poll_lag_bench -- --minimax-only
  # The same at the app's own line (3 at one service at once), and with a steadier service.
  cargo run --release -q -p hailuo-core --example poll_lag_bench -- --minimax-only --in-flight 3
  cargo run --release -q -p hailuo-core --example poll_lag_bench -- --spread 0.15
  cargo run --release -q -p hailuo-core --example finish_tail_bench
}

install_system_packages
install_rust
lag_section
if [[ "$lag_only" == true ]]; then
  exit 0
fi
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
  "${passthrough[@]}"
