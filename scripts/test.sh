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
install_test_packages
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

# One build of the app and of every test binary, with the workspace's features resolved once, so
# that nothing is compiled twice. The GUI suite drives the real binary this builds
# (target/debug/hailuo-studio).
step="Building the app and every test (cargo test --workspace --no-run)"
say "$step"
cargo test --workspace --no-run

step="cargo test inside a private desktop session"
say "Running $step"
dbus-run-session -- bash scripts/lib/desktop-session.sh bash scripts/lib/cargo-tests.sh

say "All checks passed in $((SECONDS - started)) s"
