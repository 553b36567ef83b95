#!/usr/bin/env bash
# The `cargo test` half of scripts/test.sh, run inside its desktop session.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/say.sh"

# One run for the whole workspace, GUI suite included: the same feature resolution as the build
# step before it, so nothing is rebuilt. --no-fail-fast: one failing crate does not hide another.
say "Workspace tests and the GUI end-to-end suite (cargo test --workspace); screenshots go to <target>/e2e-screens"
cargo test --workspace --no-fail-fast
