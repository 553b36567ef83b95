#!/usr/bin/env bash
# Runs a command inside a private desktop session: its own unlocked gnome-keyring (in a throwaway
# folder, so a developer's own keyrings are never touched) and, unless --current-display is given,
# its own Xvfb display. Start it under `dbus-run-session --` so the session bus is private too.
#
#   dbus-run-session -- bash scripts/lib/desktop-session.sh [--current-display] COMMAND [ARGS...]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/say.sh
source "$here/say.sh"

own_display=true
if [[ "${1:-}" == "--current-display" ]]; then
  own_display=false
  shift
fi
[[ $# -gt 0 ]] || die "desktop-session.sh needs a command to run"
[[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]] || die "desktop-session.sh must run under dbus-run-session"

session_dir="$(mktemp -d "${TMPDIR:-/tmp}/hailuo-session.XXXXXX")"
chmod 700 "$session_dir"
keyring_pid=""
xvfb_pid=""
end_session() {
  [[ -n "$keyring_pid" ]] && kill "$keyring_pid" 2>/dev/null || true
  [[ -n "$xvfb_pid" ]] && kill "$xvfb_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  # The document portal, started on demand by GTK, mounts a FUSE folder in XDG_RUNTIME_DIR.
  if mountpoint -q "$session_dir/runtime/doc" 2>/dev/null; then
    fusermount -u -z "$session_dir/runtime/doc" 2>/dev/null || fusermount3 -u -z "$session_dir/runtime/doc" 2>/dev/null || true
  fi
  rm -rf "$session_dir" 2>/dev/null || { sleep 1; rm -rf "$session_dir"; } || warn "could not remove $session_dir"
}
trap end_session EXIT

# gnome-keyring keeps its keyrings under XDG_DATA_HOME and its socket under XDG_RUNTIME_DIR.
export XDG_RUNTIME_DIR="$session_dir/runtime"
export XDG_DATA_HOME="$session_dir/data"
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME/keyrings"
chmod 700 "$XDG_RUNTIME_DIR"

has_bus_name() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q "boolean true"
}

if $own_display; then
  say "Starting a virtual display (Xvfb, 1440x900)"
  # -displayfd: Xvfb picks a free display number itself and writes it to fd 3.
  Xvfb -displayfd 3 -screen 0 1440x900x24 -nolisten tcp \
    3>"$session_dir/display" >"$session_dir/xvfb.log" 2>&1 &
  xvfb_pid=$!
  for _ in $(seq 100); do
    [[ -s "$session_dir/display" ]] && break
    kill -0 "$xvfb_pid" 2>/dev/null || break
    sleep 0.1
  done
  [[ -s "$session_dir/display" ]] || die "Xvfb did not start: $(cat "$session_dir/xvfb.log")"
  export DISPLAY=":$(tr -d '[:space:]' <"$session_dir/display")"
  say "Virtual display is $DISPLAY"
fi
# Services the bus starts on demand (the desktop portal behind file dialogs) need the display too.
dbus-update-activation-environment DISPLAY XDG_RUNTIME_DIR XDG_DATA_HOME >/dev/null 2>&1 ||
  warn "could not pass DISPLAY to D-Bus activated services; file dialogs may not open"

say "Unlocking a throwaway gnome-keyring on a private D-Bus session bus"
# The password must not be empty: with an empty one the keyring has no usable default collection.
printf '%s' "hailuo-studio-tests" |
  gnome-keyring-daemon --foreground --unlock --components=secrets >"$session_dir/keyring.log" 2>&1 &
keyring_pid=$!
for _ in $(seq 100); do
  has_bus_name org.freedesktop.secrets && break
  kill -0 "$keyring_pid" 2>/dev/null || break
  sleep 0.1
done
has_bus_name org.freedesktop.secrets ||
  die "gnome-keyring-daemon did not start the Secret Service: $(cat "$session_dir/keyring.log")"
default_collection="$(dbus-send --session --print-reply --dest=org.freedesktop.secrets \
  /org/freedesktop/secrets org.freedesktop.Secret.Service.ReadAlias string:default 2>&1 || true)"
grep -q 'object path "/org/freedesktop/secrets/collection/' <<<"$default_collection" ||
  die "the keyring has no default collection, so keys could not be saved: $default_collection"

export HAILUO_STUDIO_TEST_SESSION=1
status=0
"$@" || status=$?
exit "$status"
