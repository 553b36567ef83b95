#!/usr/bin/env bash
# Builds Hailuo Studio's Linux installers on this machine with the Tauri CLI from npm (the .deb and
# the .rpm), then checks the .deb: its runtime dependencies, its menu entry, its icons, that dpkg
# and apt would install it here, and its size. Installs what is missing first.
#
#   bash scripts/build-installers.sh          build the release app and its installers, then check
#   bash scripts/build-installers.sh --check  only check the installers built last time
#
# No AppImage here: Tauri's bundler downloads linuxdeploy and its plugins from GitHub while it makes
# one, which a machine without internet cannot do. The release workflow
# (.github/workflows/release.yml) makes it, with the Windows and macOS installers.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/install.sh

build=true
for arg in "$@"; do
  case "$arg" in
    --check) build=false ;;
    -h | --help)
      sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown option $arg (use --check, or nothing)" ;;
  esac
done

# What a creator's machine needs to run the app: WebKitGTK, GStreamer's H.264 playback, and a
# Secret Service for the keys. The .deb must pull all of them in.
RUNTIME_PACKAGES=(libwebkit2gtk-4.1-0 gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-libav gnome-keyring)
SIZE_GOAL_BYTES=$((15 * 1000 * 1000))

install_system_packages
install_rust
install_node
install_tauri_cli

if $build; then
  say "Building the release app and its installers (tauri build --bundles deb,rpm; 10-20 min on 2 cores)"
  started=$SECONDS
  "$TAURI_CLI" build --ci --bundles deb,rpm
  say "Release build and installers took $((SECONDS - started)) s"
fi

target_dir="$(cargo metadata --format-version 1 --no-deps |
  node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).target_directory')"
version="$(node -p 'require("./src-tauri/tauri.conf.json").version')"
product="$(node -p 'require("./src-tauri/tauri.conf.json").productName')"
binary="$(node -p 'require("./src-tauri/tauri.conf.json").mainBinaryName')"
arch="$(dpkg --print-architecture)"
deb="$target_dir/release/bundle/deb/${product}_${version}_${arch}.deb"
[[ -f "$deb" ]] || die "no .deb at $deb: build it with bash scripts/build-installers.sh"

say "Checking $deb"
depends="$(dpkg-deb --field "$deb" Depends)"
say "Depends: $depends"
for package in "${RUNTIME_PACKAGES[@]}"; do
  grep -Eq "(^|[ ,|])${package//./\\.}([ ,(|]|$)" <<<"$depends" ||
    die "the .deb does not depend on $package: add it to bundle.linux.deb.depends in src-tauri/tauri.conf.json"
done

# Paths as dpkg-deb lists them, without a leading "./" (older bundlers wrote one).
contents="$(dpkg-deb --contents "$deb" | awk '{ $1=$2=$3=$4=$5=""; sub(/^ +(\.\/)?/, ""); print }')"
grep -qx "usr/bin/$binary" <<<"$contents" || die "the .deb has no /usr/bin/$binary"
desktop_file="$(grep -E '^usr/share/applications/.+\.desktop$' <<<"$contents" | head -n 1)"
[[ -n "$desktop_file" ]] || die "the .deb has no menu entry (/usr/share/applications/*.desktop)"
icons="$(grep -Ec "^usr/share/icons/hicolor/[0-9]+x[0-9]+/apps/$binary\.png$" <<<"$contents" || true)"
[[ "$icons" -ge 9 ]] || die "the .deb has $icons icon sizes under /usr/share/icons/hicolor, expected 9 (16 to 512 px)"
say "Contents: /usr/bin/$binary, /$desktop_file, $icons icon sizes"

entry="$(mktemp --suffix=.desktop)"
trap 'rm -f "$entry"' EXIT
dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards "*$desktop_file" >"$entry"
for line in "Type=Application" "Exec=$binary" "Icon=$binary" "Name=$product"; do
  grep -qx "$line" "$entry" || die "the menu entry /$desktop_file lacks the line $line"
done
grep -Eq '^Categories=.*Video' "$entry" || die "the menu entry /$desktop_file is not in the Video category"
if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate "$entry"
fi
say "Menu entry:"
sed 's/^/    /' "$entry"

if [[ "$(id -u)" -eq 0 ]]; then
  say "dpkg --dry-run --install (nothing is installed)"
  dpkg --dry-run --install "$deb"
else
  warn "not root: skipping dpkg --dry-run --install"
fi
# apt resolves the dependencies against this machine's package lists, as `apt install ./file.deb`
# would, and fails when one cannot be installed.
say "apt-get install --simulate (nothing is installed)"
apt-get install --simulate --quiet "$deb" | grep -E '^(Inst|Conf) |newly installed'

size="$(stat -c %s "$deb")"
say "$(basename "$deb"): $(awk -v b="$size" 'BEGIN { printf "%.1f MB", b / 1000000 }'); goal under 15 MB"
[[ "$size" -lt "$SIZE_GOAL_BYTES" ]] || warn "the .deb is over the 15 MB goal"
shopt -s nullglob
for rpm in "$target_dir"/release/bundle/rpm/*.rpm; do
  say "$(basename "$rpm"): $(awk -v b="$(stat -c %s "$rpm")" 'BEGIN { printf "%.1f MB", b / 1000000 }')"
done
say "Installers are in $target_dir/release/bundle/"
