#!/usr/bin/env bash
# Builds and starts Hailuo Studio, installing what is missing first.
#
#   bash scripts/run-app.sh              the app, talking to the real services
#   bash scripts/run-app.sh --emulator   the app, talking to the local emulator of the three
#                                        services: nothing is paid, keys are throwaway ones
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/install.sh

with_emulator=false
for arg in "$@"; do
  case "$arg" in
    --emulator) with_emulator=true ;;
    -h | --help)
      sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown option $arg (use --emulator, or nothing)" ;;
  esac
done

[[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]] ||
  die "no desktop to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is set). Run this from a desktop session."

install_system_packages
install_rust

if ! $with_emulator; then
  say "Building and starting Hailuo Studio (cargo run -p hailuo-studio)"
  exec cargo run -p hailuo-studio
fi

[[ -f src-tauri/emulator/src/main.rs ]] ||
  die "this checkout has no emulator program yet (src-tauri/emulator/src/main.rs is missing). Run without --emulator, or update your checkout."

say "Building the emulator (cargo build -p hailuo-emulator)"
cargo build -p hailuo-emulator
say "Building the app (cargo build -p hailuo-studio)"
cargo build -p hailuo-studio

emulator_out="$(mktemp "${TMPDIR:-/tmp}/hailuo-emulator.XXXXXX")"
# `cargo run` replaces itself with the program on Unix, so $! is the emulator itself.
cargo run -q -p hailuo-emulator >"$emulator_out" 2>&1 &
emulator_pid=$!
stop_emulator() {
  kill -INT "$emulator_pid" 2>/dev/null || true
  wait "$emulator_pid" 2>/dev/null || true
  rm -f "$emulator_out"
}
trap stop_emulator EXIT

for _ in $(seq 300); do
  grep -q '^# serving' "$emulator_out" && break
  kill -0 "$emulator_pid" 2>/dev/null || die "the emulator stopped at once: $(cat "$emulator_out")"
  sleep 0.1
done
grep -q '^export HAILUO_STUDIO_' "$emulator_out" ||
  die "the emulator printed no HAILUO_STUDIO_*_BASE_URL variables: $(cat "$emulator_out")"

# Take only lines of the exact form `export HAILUO_STUDIO_NAME=value`: nothing else is evaluated.
while IFS= read -r line; do
  if [[ "$line" =~ ^export\ (HAILUO_STUDIO_[A-Z0-9_]+)=(.*)$ ]]; then
    export "${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
    say "  ${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
  fi
done <"$emulator_out"
say "Emulator keys to paste into the app:"
grep '^# .* key: ' "$emulator_out" | sed 's/^# /      /'

# The emulator's videos and records stay apart from the creator's real library.
export HAILUO_STUDIO_DATA_DIR="${HAILUO_STUDIO_DATA_DIR:-$PWD/.emulator-data}"
say "Studio data and library for this run: $HAILUO_STUDIO_DATA_DIR"

# A private D-Bus bus with a throwaway keyring: emulator keys never land in the real keyring.
say "Starting Hailuo Studio against the emulator (close the window to stop both)"
dbus-run-session -- bash scripts/lib/desktop-session.sh --current-display cargo run -q -p hailuo-studio
