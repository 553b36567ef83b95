#!/usr/bin/env bash
# Fuzzes every reader of hostile input in hailuo-core (the services' answers, generation.json,
# first frames) with cargo-fuzz and libFuzzer, each target for N seconds. Installs cargo-fuzz
# when it is missing. Stops with the path of every input that made a target fail.
#
#   bash scripts/fuzz.sh [seconds-per-target] [target ...]   # default: 60 s, every target
#
# Inputs that found something new are kept in <cargo target dir>/fuzz-corpus/ for the next
# run; a failing input lands in src-tauri/core/fuzz/artifacts/<target>/. Once the bug is fixed,
# copy that input into src-tauri/core/fuzz/regressions/<target>/: `cargo test` replays it.
#
# FUZZ_SANITIZER=address adds AddressSanitizer (memory errors in the decoders' unsafe code,
# single allocations over the limit); the default, none, builds faster (14 against 20 CPU-minutes
# from scratch on a 2-core machine) and needs no RUSTC_BOOTSTRAP.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
source scripts/lib/install.sh

seconds="${1:-60}"
[[ "$seconds" =~ ^[0-9]+$ ]] || die "usage: bash scripts/fuzz.sh [seconds-per-target] [target ...]"
shift $(($# > 0 ? 1 : 0))

install_system_packages
install_rust
install_cargo_fuzz

fuzz_dir="$root/src-tauri/core/fuzz"
sanitizer="${FUZZ_SANITIZER:-none}"
# One build per sanitizer: switching does not rebuild everything.
target_dir="${CARGO_TARGET_DIR:-$root/target}/fuzz-$sanitizer"
work_corpus="${CARGO_TARGET_DIR:-$root/target}/fuzz-corpus"

cd "$fuzz_dir"
mapfile -t all_targets < <(cargo fuzz list)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")

if [[ "$sanitizer" != "none" ]]; then
  # cargo fuzz asks rustc for the sanitizer with a -Z flag, which only nightly accepts.
  # RUSTC_BOOTSTRAP=1 lets the stable compiler accept it: the same compiler, with its unstable
  # switches unlocked, so no second toolchain is needed. Builds without a sanitizer need none.
  export RUSTC_BOOTSTRAP=1
fi

# Per target: the largest input, how long one may take, and the memory it may use. Answers
# and records are small and read whole, so a big allocation from them is a bug; a picture
# may legitimately decode to ~1.2 GB (150 megapixels, first_frame::decode's limits).
limits() {
  case "$1" in
    first_frame) echo "-max_len=65536 -timeout=60 -rss_limit_mb=6144 -malloc_limit_mb=1300" ;;
    *) echo "-max_len=16384 -timeout=10 -rss_limit_mb=1024 -malloc_limit_mb=128" ;;
  esac
}

say "Building the fuzz targets (cargo fuzz build, sanitizer: $sanitizer)"
cargo fuzz build --sanitizer "$sanitizer" --target-dir "$target_dir"

failed=()
for target in "${targets[@]}"; do
  say "Fuzzing $target for $seconds s"
  mkdir -p "$work_corpus/$target" "artifacts/$target"
  seeds=("corpus/$target")
  [[ -d "regressions/$target" ]] && seeds+=("regressions/$target")
  before="$(ls -1 "artifacts/$target" | wc -l)"
  # shellcheck disable=SC2046 # the limits are separate flags
  if ! cargo fuzz run --sanitizer "$sanitizer" --target-dir "$target_dir" "$target" \
    "$work_corpus/$target" "${seeds[@]}" -- \
    -max_total_time="$seconds" -dict=json.dict -print_final_stats=1 $(limits "$target"); then
    crash="$(ls -1t "artifacts/$target" | head -n 1)"
    if [[ "$(ls -1 "artifacts/$target" | wc -l)" -gt "$before" && -n "$crash" ]]; then
      failed+=("$target: $fuzz_dir/artifacts/$target/$crash")
    else
      failed+=("$target: failed without saving an input (see the output above)")
    fi
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  for line in "${failed[@]}"; do warn "crashing input: $line"; done
  die "fuzzing found ${#failed[@]} failing target(s). Reproduce one with: (cd src-tauri/core/fuzz && cargo fuzz run --sanitizer $sanitizer <target> <input>)"
fi
say "Fuzzing: ${#targets[@]} target(s), $seconds s each, nothing found"
