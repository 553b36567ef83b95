#!/usr/bin/env bash
# Proves the .deb installs and starts on a clean Debian 12: makes a minimal bookworm (debootstrap
# --variant=minbase) in a throwaway folder, runs `apt-get install ./file.deb` there (the .deb's
# Depends must pull in everything), opens the app from its menu entry as a plain user with a fresh
# HOME in a private Xvfb + D-Bus session, waits for its window and welcome screen, saves a
# screenshot, opens it once more (warm caches), then removes and purges the package and checks that
# its binary, menu entry and icons are gone. Prints what it measured; fails on any problem.
# A release check, not part of scripts/test.sh: it downloads a whole Debian system (about 350 MB).
# Needs root (chroot, mounts) or sudo.
#
#   bash scripts/check-clean-install.sh [path/to.deb]   default: the .deb build-installers.sh made
#   bash scripts/check-clean-install.sh --fresh [...]   make the minimal system again, not from cache
#   bash scripts/check-clean-install.sh --keep [...]    keep the system folder afterwards, to look in
#
# The minimal system is made once and cached as <target dir>/clean-install/bookworm-minbase.tar.zst
# (about 50 MB; unpacking it takes seconds, debootstrap takes minutes), and the packages apt downloads
# are kept in <target dir>/clean-install/apt-archives/ (about 300 MB; --fresh empties both). Packages
# come from the Debian mirror this machine's own apt sources name. The screenshot, and the logs of
# each step, are in <target dir>/clean-install/.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/install.sh

fresh=false
keep=false
deb=""
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=true ;;
    --keep) keep=true ;;
    -h | --help)
      sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*) die "unknown option $arg (use --fresh, --keep, or a path to a .deb)" ;;
    *) deb="$arg" ;;
  esac
done

if [[ "$(id -u)" -ne 0 ]]; then
  say "chroot and mount need root: running again with sudo"
  as_root env ${CARGO_TARGET_DIR:+CARGO_TARGET_DIR="$CARGO_TARGET_DIR"} bash "$0" "$@"
  exit $?
fi

# Tools that only this check needs, installed in the clean system after the .deb and after the
# app's libraries are checked, so they cannot hide a missing library (the fonts imagemagick brings,
# Nimbus Sans, do change the font the page is drawn in):
# a virtual display, a session bus with dbus-launch, `gio launch` to open the menu entry, xwininfo
# and xdotool to find the window, imagemagick's `import` for the screenshot, and tesseract to read
# the welcome screen's heading in it (so a blank or stuck window fails the check).
TEST_TOOLS=(xvfb xauth dbus dbus-x11 libglib2.0-bin x11-utils xdotool imagemagick tesseract-ocr)
PACKAGE="hailuo-studio"
TEST_USER="creator"
WINDOW_TITLE="Hailuo Studio"
WINDOW_WAIT_SECONDS=90
WELCOME_HEADING="Make a video from a sentence"

if command -v cargo >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
  target_dir="$(cargo metadata --format-version 1 --no-deps |
    node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).target_directory')"
else
  target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
fi
if [[ -z "$deb" ]]; then
  product="$(sed -nE 's/^ *"productName": *"([^"]+)".*/\1/p' src-tauri/tauri.conf.json)"
  version="$(sed -nE 's/^ *"version": *"([^"]+)".*/\1/p' src-tauri/tauri.conf.json)"
  deb="$target_dir/release/bundle/deb/${product}_${version}_$(dpkg --print-architecture).deb"
  [[ -f "$deb" ]] || die "no .deb at $deb: build it with bash scripts/build-installers.sh, or pass its path"
else
  [[ -f "$deb" ]] || die "no such .deb: $deb"
fi
deb="$(realpath "$deb")"
work="$target_dir/clean-install"
cache="$work/bookworm-minbase.tar.zst"
archives="$work/apt-archives"
root="$work/root"
screenshot="$work/screen.png"
mkdir -p "$work"
rm -rf "$work"/*.log "$screenshot"

# The Debian mirror that this machine's apt sources name for a suite (one-line and deb822 files).
mirror_for() {
  local suite="$1" uri
  uri="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    sed -E 's/\[[^]]*\]//' | awk -v s="$suite" '$1 == "deb" && $3 == s { print $2; exit }')"
  if [[ -z "$uri" ]]; then
    uri="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v s="$suite" '
      BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uris = ""; suites = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^#/ || !match($i, /^[A-Za-z-]+:/)) continue
          key = tolower(substr($i, 1, RLENGTH - 1)); value = substr($i, RLENGTH + 1)
          gsub(/^[ \t]+|[ \t]+$/, "", value)
          if (key == "types") types = value
          else if (key == "uris") uris = value
          else if (key == "suites") suites = value
          else if (key == "enabled") enabled = tolower(value)
        }
        if (enabled != "no" && (" " types " ") ~ / deb / && (" " suites " ") ~ (" " s " ")) {
          split(uris, first, " "); print first[1]; exit
        }
      }')"
  fi
  printf '%s' "$uri"
}
mirror="$(mirror_for bookworm)"
security_mirror="$(mirror_for bookworm-security)"
[[ "$mirror" =~ ^https?:// ]] ||
  die "this machine's apt sources name no http(s) Debian mirror for bookworm (found: '${mirror:-nothing}')"
say "Debian mirror (from this machine's apt sources): $mirror${security_mirror:+, security: $security_mirror}"

# --- the throwaway system, and everything mounted in it, is always taken down on exit -----------
mounts_under_root() { awk -v r="$root/" 'index($2 "/", r) == 1 { print $2 }' /proc/self/mounts | sort -r; }
processes_in_root() {
  local proc
  for proc in /proc/[0-9]*; do
    [[ "$(readlink "$proc/root" 2>/dev/null)" == "$root" ]] && printf '%s\n' "${proc#/proc/}"
  done
  return 0
}
take_down() {
  local status=$? pids mount
  mapfile -t pids < <(processes_in_root)
  if [[ ${#pids[@]} -gt 0 ]]; then
    kill "${pids[@]}" 2>/dev/null || true
    sleep 1
    mapfile -t pids < <(processes_in_root)
    [[ ${#pids[@]} -gt 0 ]] && kill -KILL "${pids[@]}" 2>/dev/null || true
  fi
  while read -r mount; do
    [[ -n "$mount" ]] && { umount "$mount" 2>/dev/null || umount -l "$mount" || true; }
  done < <(mounts_under_root)
  if [[ -n "$(mounts_under_root)" ]]; then
    warn "still mounted under $root, not removing it: $(mounts_under_root | tr '\n' ' ')"
  elif $keep; then
    say "Kept the system folder: $root"
  elif [[ -d "$root" ]]; then
    rm -rf --one-file-system "$root"
  fi
  exit "$status"
}
trap take_down EXIT
trap 'exit 130' INT TERM

[[ -z "$(mounts_under_root)" ]] || die "something is still mounted under $root from an earlier run: unmount it first"
rm -rf --one-file-system "$root"

# --- a minimal Debian 12, from cache when there is one ------------------------------------------
if [[ -n "$(missing_packages debootstrap zstd)" ]]; then
  say "Installing debootstrap"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap zstd
fi
if $fresh; then rm -rf "$cache" "$archives"; fi
if [[ ! -f "$cache" ]]; then
  say "Making a minimal Debian 12 (debootstrap --variant=minbase bookworm; a few minutes)"
  started=$SECONDS
  include=()
  [[ "$mirror" == https://* ]] && include=(--include=ca-certificates)
  debootstrap --variant=minbase "${include[@]}" bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    die "debootstrap failed; see $work/debootstrap.log"
  chroot "$root" apt-get clean
  tar -C "$root" --zstd -cf "$cache.part" . && mv "$cache.part" "$cache"
  say "Minimal system made in $((SECONDS - started)) s and cached as $cache ($(du -h "$cache" | cut -f1))"
else
  say "Unpacking the cached minimal Debian 12 ($cache, made $(date -r "$cache" +%F); --fresh makes it again)"
  mkdir -p "$root"
  tar -C "$root" --zstd -xf "$cache"
fi

{
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$mirror" "$mirror"
  [[ -n "$security_mirror" ]] && printf 'deb %s bookworm-security main\n' "$security_mirror"
} >"$root/etc/apt/sources.list"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
# The chroot convention: packages must not start system services (there is no init here).
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

mount -t proc proc "$root/proc"
mount -t sysfs -o ro sysfs "$root/sys"
# A /dev of its own rather than the host's: nothing done inside can reach the host's devices.
mount -t tmpfs -o mode=755,nosuid dev "$root/dev"
mknod -m 666 "$root/dev/null" c 1 3
mknod -m 666 "$root/dev/zero" c 1 5
mknod -m 666 "$root/dev/full" c 1 7
mknod -m 666 "$root/dev/random" c 1 8
mknod -m 666 "$root/dev/urandom" c 1 9
mknod -m 666 "$root/dev/tty" c 5 0
mkdir -m 755 "$root/dev/pts"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
mkdir -m 1777 "$root/dev/shm"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
mount -t tmpfs -o mode=1777,nosuid,nodev tmp "$root/tmp"
# Downloaded packages are kept between runs; apt still resolves every dependency afresh.
mkdir -p "$archives"
mount --bind "$archives" "$root/var/cache/apt/archives"

in_root() {
  chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# A creator with a fresh HOME, who downloaded the installer the way the README says: GitHub's
# release page names it with a dot for the space.
in_root useradd --create-home --shell /bin/bash "$TEST_USER"
downloads="/home/$TEST_USER/Downloads"
download_name="$(basename "$deb" | tr ' ' '.')"
in_root install -d -o "$TEST_USER" -g "$TEST_USER" "$downloads"
install -m 644 "$deb" "$root$downloads/$download_name"

# --- the check: apt installs the .deb and everything it needs -----------------------------------
say "In the clean system: apt-get update && apt-get install -y ./$download_name"
in_root apt-get update -q >"$work/apt-update.log" 2>&1 || die "apt-get update failed; see $work/apt-update.log"
started=$SECONDS
# The README's own command, from the download folder (as root; a user would type sudo).
if ! in_root bash -c "cd '$downloads' && apt-get install -y -q ./Hailuo*Studio_*_amd64.deb" >"$work/apt-install.log" 2>&1; then
  tail -n 30 "$work/apt-install.log" >&2
  die "apt could not install the .deb in a clean Debian 12; see $work/apt-install.log"
fi
install_seconds=$((SECONDS - started))
newly_installed="$(sed -nE 's/.* ([0-9]+) newly installed.*/\1/p' "$work/apt-install.log")"
[[ -n "$newly_installed" ]] || die "apt did not say how many packages it installed; see $work/apt-install.log"
pulled_in=$((newly_installed - 1))
disk_used="$(sed -nE 's/^After this operation, (.+) of additional disk space will be used\.$/\1/p' "$work/apt-install.log")"
installed_kib="$(in_root dpkg-query -W -f '${Installed-Size}' "$PACKAGE")"
say "Installed $PACKAGE in $install_seconds s: $pulled_in other packages pulled in, ${disk_used:-? MB} on disk in all"

binary="$(in_root dpkg -L "$PACKAGE" | grep -E '^/usr/(local/)?bin/[^/]+$' | head -n 1)"
[[ -n "$binary" && -x "$root$binary" ]] || die "the package installed no program in /usr/bin"
entry="$(in_root dpkg -L "$PACKAGE" | grep -E '^/usr/share/applications/[^/]+\.desktop$' | head -n 1)"
[[ -n "$entry" ]] || die "the package installed no menu entry in /usr/share/applications"
missing_libraries="$(in_root ldd "$binary" | grep 'not found' || true)"
[[ -z "$missing_libraries" ]] || die "$binary needs libraries the .deb does not pull in: $missing_libraries"
mapfile -t package_files < <(in_root dpkg -L "$PACKAGE" | while read -r path; do
  [[ -f "$root$path" ]] && printf '%s\n' "$path"
done)
say "It installed ${#package_files[@]} files, $binary and the menu entry $entry; all its libraries are there"

# The icon the menu entry names must be in the hicolor theme, where menus look for it.
icon="$(sed -nE 's/^Icon=(.+)$/\1/p' "$root$entry" | head -n 1)"
[[ -n "$icon" ]] || die "the menu entry $entry names no icon"
if [[ "$icon" == /* ]]; then
  [[ -f "$root$icon" ]] || die "the menu entry's icon $icon does not exist"
  icon_files=("$icon")
else
  mapfile -t icon_files < <(cd "$root" && find usr/share/icons/hicolor -path "*/apps/$icon.*" -type f | sed 's|^|/|' | sort -V)
  [[ ${#icon_files[@]} -gt 0 ]] || die "the menu entry names the icon $icon, and there is no such icon in /usr/share/icons/hicolor"
fi
say "Menu entry's icon '$icon': ${#icon_files[@]} files ($(printf '%s\n' "${icon_files[@]}" | sed -nE 's|.*/hicolor/([^/]+)/.*|\1|p' | tr '\n' ' '))"

say "Adding the test tools (not needed by the app): ${TEST_TOOLS[*]}"
in_root apt-get install -y -q --no-install-recommends "${TEST_TOOLS[@]}" >"$work/apt-test-tools.log" 2>&1 ||
  die "could not install the test tools; see $work/apt-test-tools.log"

# --- open it from the menu, as the creator, in a private desktop session ------------------------
cat >"$root/tmp/open-from-menu.sh" <<'SESSION'
#!/bin/bash
# Runs as the creator inside dbus-run-session: a virtual display, the login keyring, then the app
# opened from its menu entry. Prints key=value lines for the outer script.
set -euo pipefail
entry="$1" title="$2" wait_seconds="$3" heading="$4"
fail() { echo "error=$*"; exit 1; }
rm -rf /tmp/display /tmp/frames /tmp/screen.png # from an earlier launch
Xvfb -displayfd 3 -screen 0 1440x900x24 -nolisten tcp 3>/tmp/display >/tmp/xvfb.log 2>&1 &
xvfb=$!
keyring=""
trap 'kill ${capturer:-} ${app_pid:-} $keyring $xvfb 2>/dev/null || true' EXIT
for _ in $(seq 100); do [[ -s /tmp/display ]] && break; sleep 0.1; done
[[ -s /tmp/display ]] || fail "Xvfb did not start: $(cat /tmp/xvfb.log)"
export DISPLAY=":$(tr -d '[:space:]' </tmp/display)"
dbus-update-activation-environment DISPLAY XDG_RUNTIME_DIR
# What a desktop login does (pam_gnome_keyring): unlock the login keyring with the password. Wait
# for it, or the bus would start a second, locked daemon when the app asks for its keys.
mkdir -p "$HOME/.local/share/keyrings"
printf 'creator-password' | gnome-keyring-daemon --foreground --unlock --components=secrets >/tmp/keyring.log 2>&1 &
keyring=$!
for _ in $(seq 100); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true" && break
  sleep 0.1
done
kill -0 "$keyring" 2>/dev/null || fail "gnome-keyring-daemon did not start: $(cat /tmp/keyring.log)"
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
  org.freedesktop.Secret.Service.ReadAlias string:default 2>&1 | grep -q 'collection/' ||
  fail "the unlocked keyring has no default collection: $(cat /tmp/keyring.log)"

started=$(date +%s%N)
gio launch "$entry" >/tmp/gio.log 2>&1 || fail "gio launch $entry failed: $(cat /tmp/gio.log)"
window=""
for _ in $(seq $((wait_seconds * 10))); do
  window="$(xdotool search --onlyvisible --name "^${title}\$" 2>/dev/null | head -n 1 || true)"
  [[ -n "$window" ]] && break
  sleep 0.1
done
[[ -n "$window" ]] || fail "no window titled '$title' within $wait_seconds s: $(cat /tmp/gio.log)"
echo "window_ms=$((($(date +%s%N) - started) / 1000000))"
app_pid="$(xdotool getwindowpid "$window")"
echo "pid=$app_pid"
echo "exe=$(readlink "/proc/$app_pid/exe")"
echo "geometry=$(xwininfo -id "$window" | awk '/Width:/ { w = $2 } /Height:/ { h = $2 } END { print w "x" h }')"
# The window maps before WebKit paints, and the page says "Opening your studio…" until the first
# screen is drawn: wait until the welcome screen's heading can be read in the window. Reading takes
# seconds, so frames are taken meanwhile, each with its time, and the welcome screen's time is
# that of the first frame identical to the one in which the heading was read.
frames=/tmp/frames
mkdir -p "$frames"
(
  for ((i = 0; ; i++)); do
    now=$(date +%s%N)
    import -window "$window" "$frames/$i.png" 2>/dev/null && echo "$i $now" >>"$frames/times"
    sleep 0.2
  done
) &
capturer=$!
deadline=$((SECONDS + wait_seconds))
seen="" frame=""
until grep -qiF "$heading" <<<"$seen"; do
  [[ $SECONDS -lt $deadline ]] || {
    kill "$capturer"
    import -window root /tmp/screen.png 2>/dev/null || true
    fail "no welcome screen within $wait_seconds s; the window reads: $(tr -s '[:space:]' ' ' <<<"$seen" | cut -c1-200)"
  }
  sleep 0.5
  frame="$(tail -n 1 "$frames/times" 2>/dev/null | cut -d' ' -f1)"
  [[ -n "$frame" ]] || continue
  seen="$(tesseract "$frames/$frame.png" - 2>/dev/null || true)"
done
kill "$capturer"
wait "$capturer" 2>/dev/null || true
# Later frames still differ a little (GTK's overlay scroll bar fades out), so "the same screen" is
# a root-mean-square difference under 3 %; the loading screen differs from it by about 13 %.
while read -r i at; do
  difference="$(compare -metric RMSE "$frames/$i.png" "$frames/$frame.png" null: 2>&1 | sed -nE 's/.*\((.*)\).*/\1/p' || true)"
  if awk -v d="${difference:-1}" 'BEGIN { exit !(d < 0.03) }'; then
    echo "welcome_ms=$(((at - started) / 1000000))"
    break
  fi
done <"$frames/times"
echo "read_ms=$((($(date +%s%N) - started) / 1000000))"
echo "frames=$(wc -l <"$frames/times")"
import -window root /tmp/screen.png
webkit=0
for proc in /proc/[0-9]*; do
  grep -qx "PPid:[[:space:]]*$app_pid" "$proc/status" 2>/dev/null &&
    [[ "$(readlink "$proc/exe" 2>/dev/null)" == *WebKit* ]] && webkit=$((webkit + 1))
done
echo "webkit_processes=$webkit"
echo "data_folders=$(cd "$HOME" && find .config .local/share -maxdepth 1 -name '*hailuo*' 2>/dev/null | tr '\n' ' ')"
kill "$app_pid"
for _ in $(seq 50); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$app_pid" 2>/dev/null && fail "the app did not quit within 5 s of SIGTERM"
echo "ok=1"
SESSION
chmod 755 "$root/tmp/open-from-menu.sh"

runtime="/tmp/runtime-$TEST_USER"
in_root install -d -m 700 -o "$TEST_USER" -g "$TEST_USER" "$runtime"
session_log=""
result() { sed -nE "s/^$1=(.*)$/\1/p" "$session_log" | tail -n 1; }
seconds() { awk -v ms="$(result "$1")" 'BEGIN { printf "%.1f", ms / 1000 }'; }
# Opens the menu entry as the creator in a new session; the results are read with `result`.
open_from_menu() {
  session_log="$work/session-$1.log"
  chroot "$root" setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --init-groups \
    env -i HOME="/home/$TEST_USER" USER="$TEST_USER" LOGNAME="$TEST_USER" SHELL=/bin/bash \
    PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 XDG_RUNTIME_DIR="$runtime" \
    dbus-run-session -- /tmp/open-from-menu.sh "$entry" "$WINDOW_TITLE" "$WINDOW_WAIT_SECONDS" "$WELCOME_HEADING" \
    >"$session_log" 2>"$work/session-$1-stderr.log" || true
  if [[ -z "$(result ok)" ]]; then
    if [[ -f "$root/tmp/screen.png" ]]; then cp "$root/tmp/screen.png" "$screenshot"; fi
    tail -n 20 "$work/session-$1-stderr.log" >&2 || true
    die "$(result error); see $session_log and $work/session-$1-stderr.log"
  fi
  [[ "$(result exe)" == "$binary" ]] || die "the window belongs to $(result exe), not to the installed $binary"
}

say "Opening '$entry' with gio launch as $TEST_USER (fresh HOME) in a private Xvfb + D-Bus session"
open_from_menu first
cp "$root/tmp/screen.png" "$screenshot"
window_seconds="$(seconds window_ms)"
welcome_seconds="$(seconds welcome_ms)"
say "Window '$WINDOW_TITLE' ($(result geometry)) after $window_seconds s, welcome screen drawn after $welcome_seconds s (read in it by OCR at $(seconds read_ms) s), run by $(result exe) with $(result webkit_processes) WebKit processes"
say "Screenshot: $screenshot"
data_folders="$(result data_folders)"
# The first launch in a new HOME fills caches (on a machine without a GPU, Mesa compiles and keeps
# the shaders WebKit draws with); the second shows what the creator sees every day after.
say "Opening it again from the menu (caches now warm)"
open_from_menu again
again_window_seconds="$(seconds window_ms)"
again_welcome_seconds="$(seconds welcome_ms)"
say "Window after $again_window_seconds s, welcome screen drawn after $again_welcome_seconds s"

# --- uninstall as the README says, then purge; nothing of the package may stay --------------------
say "apt-get remove -y $PACKAGE (the README's uninstall command)"
in_root apt-get remove -y -q "$PACKAGE" >"$work/apt-remove.log" 2>&1 || die "apt-get remove failed; see $work/apt-remove.log"
left=()
for path in "${package_files[@]}"; do
  if [[ -e "$root$path" ]]; then left+=("$path"); fi
done
[[ ${#left[@]} -eq 0 ]] || die "after apt-get remove, still there: ${left[*]}"
[[ ! -e "$root$binary" && ! -e "$root$entry" ]] || die "the program or menu entry survived apt-get remove"
for path in "${icon_files[@]}"; do
  [[ ! -e "$root$path" ]] || die "the icon $path survived apt-get remove"
done
kept=""
for folder in $data_folders; do
  [[ -d "$root/home/$TEST_USER/$folder" ]] || die "apt-get remove deleted the creator's $folder (the README says uninstalling keeps it)"
  kept+=" ~/$folder"
done
say "Removed: the program, the menu entry and ${#icon_files[@]} icons are gone${kept:+; the creator’s own folders stay:$kept}"
known() {
  local state
  state="$(in_root dpkg-query -W -f '${db:Status-Abbrev}' "$PACKAGE" 2>/dev/null || true)"
  [[ -n "$state" && "$state" != "un "* && "$state" != "pn "* ]]
}
# A package with no configuration files is forgotten by dpkg at remove; apt then cannot find it
# to purge (it is in no repository), and there is nothing left to purge.
if known; then
  in_root apt-get purge -y -q "$PACKAGE" >"$work/apt-purge.log" 2>&1 || die "apt-get purge failed; see $work/apt-purge.log"
  ! known || die "dpkg still knows $PACKAGE after apt-get purge"
  purged="apt-get purge removed its configuration"
else
  purged="dpkg had already forgotten it at remove (it has no configuration files), so nothing was left to purge"
fi
autoremovable="$(in_root apt-get autoremove --simulate -q | grep -c '^Remv ' || true)"
say "Purged: $purged; apt autoremove would now remove $autoremovable of the packages it pulled in (the test tools still use the others)"

say "Summary: $(basename "$deb") on a clean Debian 12 (minbase)"
printf '    %-30s %s\n' \
  "installed size (package)" "$(awk -v k="$installed_kib" 'BEGIN { printf "%.1f MB", k * 1024 / 1000000 }')" \
  "disk used with dependencies" "${disk_used:-unknown}" \
  "packages pulled in" "$pulled_in" \
  "apt install took" "$install_seconds s" \
  "menu entry to window" "$window_seconds s (again: $again_window_seconds s)" \
  "menu entry to welcome screen" "$welcome_seconds s (again: $again_welcome_seconds s; frames every ~0.3 s)" \
  "screenshot" "$screenshot"
