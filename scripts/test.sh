#!/usr/bin/env bash
# Runs every check: formatting, lints, the UI's unit tests, then `cargo test` for the whole
# workspace and the GUI end-to-end suite inside one private desktop session (Xvfb, a D-Bus
# session bus, an unlocked throwaway gnome-keyring). Installs what is missing first.
#
#   bash scripts/test.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/install.sh

started=$SECONDS
step="Installing what is missing"
trap 'die "failed while: $step (see the output above)"' ERR
install_system_packages
install_rust
install_tauri_driver
install_node
install_check_jsonschema

step="Checking formatting (cargo fmt --all --check; \`cargo fmt --all\` fixes it)"
say "$step"
cargo fmt --all --check

step="Linting (cargo clippy --workspace --all-targets -- -D warnings)"
say "$step"
cargo clippy --workspace --all-targets -- -D warnings

shopt -s nullglob
ui_tests=(ui/tests/*.test.js)
if [[ ${#ui_tests[@]} -gt 0 ]]; then
  step="UI unit tests (node --test, ${#ui_tests[@]} files)"
  say "$step"
  node --test "${ui_tests[@]}"
fi

step="Release workflow against GitHub's schema (check-jsonschema)"
say "$step"
"$CHECK_JSONSCHEMA" --builtin-schema vendor.github-workflows .github/workflows/*.yml

# The GUI suite drives the real binary, so it must be built from the current sources first.
step="Building the app for the GUI suite (cargo build -p hailuo-studio)"
say "$step"
cargo build -p hailuo-studio

step="cargo test inside a private desktop session"
say "Running $step"
dbus-run-session -- bash scripts/lib/desktop-session.sh bash scripts/lib/cargo-tests.sh

say "All checks passed in $((SECONDS - started)) s"
