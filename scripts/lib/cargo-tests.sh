#!/usr/bin/env bash
# The `cargo test` half of scripts/test.sh, run inside its desktop session.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/say.sh"

say "Workspace tests (cargo test --workspace, GUI suite apart)"
cargo test --workspace --exclude hailuo-e2e

say "GUI end-to-end suite (cargo test -p hailuo-e2e); screenshots go to <target>/e2e-screens"
cargo test -p hailuo-e2e
