#!/usr/bin/env bash
# Installs what building and testing Hailuo Studio needs, and only what is missing, so that a
# second run is fast and works offline. Sourced by scripts/run-app.sh and scripts/test.sh.

# shellcheck source=scripts/lib/say.sh
source "$(dirname "${BASH_SOURCE[0]}")/say.sh"

# Tauri's build needs (WebKitGTK and friends), the GUI test tools (WebKitWebDriver, Xvfb, a D-Bus
# session, gnome-keyring, imagemagick's import, xwininfo/xprop), GStreamer for H.264 playback in
# the app, ffmpeg for the emulator's clips, python3-venv for check-jsonschema. Node.js, for the
# UI's unit tests, comes from apt only when no `node` is installed at all.
SYSTEM_PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev pkg-config ca-certificates
  webkit2gtk-driver xvfb xauth dbus dbus-x11 gnome-keyring imagemagick x11-utils
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav
  ffmpeg python3-venv
)

as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "installing system packages needs root: run this script as root or install sudo"
  fi
}

missing_packages() {
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
      printf '%s\n' "$package"
  done
}

install_system_packages() {
  command -v dpkg-query >/dev/null 2>&1 ||
    die "these scripts install packages with apt (Debian 12, Ubuntu 22.04 or newer). On another system, install the equivalents of: ${SYSTEM_PACKAGES[*]}"
  local missing
  mapfile -t missing < <(missing_packages "${SYSTEM_PACKAGES[@]}")
  if [[ ${#missing[@]} -eq 0 ]]; then
    say "System packages: all ${#SYSTEM_PACKAGES[@]} present"
    return
  fi
  say "Installing system packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

install_rust() {
  if ! command -v cargo >/dev/null 2>&1 && [[ -f "$HOME/.cargo/env" ]]; then
    # shellcheck source=/dev/null
    source "$HOME/.cargo/env"
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    say "Installing Rust with rustup (stable, with rustfmt and clippy)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs |
      sh -s -- -y --profile minimal --component rustfmt,clippy
    # shellcheck source=/dev/null
    source "$HOME/.cargo/env"
  fi
  if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    command -v rustup >/dev/null 2>&1 ||
      die "cargo fmt and cargo clippy are missing and there is no rustup to add them: install rustfmt and clippy"
    say "Adding rustfmt and clippy to the Rust toolchain"
    rustup component add rustfmt clippy
  fi
  say "Rust: $(cargo --version)"
}

install_tauri_driver() {
  export PATH="$HOME/.cargo/bin:$PATH"
  if command -v tauri-driver >/dev/null 2>&1; then
    say "tauri-driver: $(command -v tauri-driver)"
    return
  fi
  say "Installing tauri-driver (cargo install tauri-driver --locked, about a minute)"
  cargo install tauri-driver --locked
}

# `node --test` needs Node.js 18 or newer; Ubuntu 22.04's own nodejs is 12.
install_node() {
  if ! command -v node >/dev/null 2>&1; then
    say "Installing Node.js (for the UI's unit tests)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs
  fi
  local major
  major="$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/')"
  [[ -n "$major" && "$major" -ge 18 ]] ||
    die "the UI's unit tests need Node.js 18 or newer, and this machine has $(node --version 2>/dev/null || echo none). Install a current Node.js (https://nodejs.org), then run this script again."
  say "Node.js: $(node --version)"
}

# check-jsonschema (PyPI) checks .github/workflows/ against GitHub's workflow schema. Debian 12's pip
# refuses system-wide installs, so it lives in a venv under target/. Pinned: its bundled schema
# changes with its version.
CHECK_JSONSCHEMA_VERSION="0.39.0"
CHECK_JSONSCHEMA="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/target/tools/check-jsonschema/bin/check-jsonschema"
install_check_jsonschema() {
  if [[ -x "$CHECK_JSONSCHEMA" ]] &&
    [[ "$("$CHECK_JSONSCHEMA" --version 2>/dev/null)" == *"$CHECK_JSONSCHEMA_VERSION"* ]]; then
    say "check-jsonschema: $CHECK_JSONSCHEMA_VERSION"
    return
  fi
  local venv="${CHECK_JSONSCHEMA%/bin/check-jsonschema}"
  say "Installing check-jsonschema $CHECK_JSONSCHEMA_VERSION from PyPI into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "check-jsonschema==$CHECK_JSONSCHEMA_VERSION"
}

# The Tauri CLI that makes the installers comes from npm (package.json, package-lock.json).
TAURI_CLI="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/node_modules/.bin/tauri"
install_tauri_cli() {
  local wanted
  wanted="$(node -p 'require("./package.json").devDependencies["@tauri-apps/cli"]')"
  if [[ -x "$TAURI_CLI" ]] && [[ "$("$TAURI_CLI" --version 2>/dev/null)" == "tauri-cli $wanted" ]]; then
    say "Tauri CLI: $wanted"
    return
  fi
  say "Installing the Tauri CLI $wanted from npm"
  # Not `npm ci`: the lock file lacks the CLI's builds for other platforms (the npm mirror this
  # project is built behind serves only Linux's), and `npm ci` refuses a lock file missing them.
  npm install --no-save --no-audit --no-fund
}

# axe-core (npm, a devDependency in package.json) is injected by the GUI suite's accessibility
# test into each screen; it is never shipped in ui/.
AXE_CORE="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/node_modules/axe-core/axe.min.js"
install_test_packages() {
  local wanted
  wanted="$(node -p 'require("./package.json").devDependencies["axe-core"]')"
  if [[ -f "$AXE_CORE" ]] && [[ "$(node -p 'require("./node_modules/axe-core/package.json").version' 2>/dev/null)" == "$wanted" ]]; then
    say "axe-core: $wanted"
    return
  fi
  say "Installing axe-core $wanted from npm (for the GUI suite's accessibility test)"
  # As for the Tauri CLI: `npm install`, not `npm ci` (see install_tauri_cli).
  npm install --no-save --no-audit --no-fund
}

# cargo-fuzz (crates.io) runs the fuzz targets of src-tauri/core/fuzz with libFuzzer, on the
# stable toolchain (scripts/fuzz.sh). Pinned: the flags it gives rustc change between versions.
CARGO_FUZZ_VERSION="0.13.2"
install_cargo_fuzz() {
  export PATH="$HOME/.cargo/bin:$PATH"
  if [[ "$(cargo fuzz --version 2>/dev/null)" == "cargo-fuzz $CARGO_FUZZ_VERSION" ]]; then
    say "cargo-fuzz: $CARGO_FUZZ_VERSION"
    return
  fi
  say "Installing cargo-fuzz $CARGO_FUZZ_VERSION (cargo install cargo-fuzz --locked, about a minute)"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
}
