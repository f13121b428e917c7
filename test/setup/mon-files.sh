#!/usr/bin/env bash
# Unpack Debian's mon package (monitor and alert scripts) into .cache/mon/root
# WITHOUT installing it: installing mon creates a user and starts a daemon.
# Tests run e.g. .cache/mon/root/usr/lib/mon/mon.d/tcp.monitor from there.
# Idempotent: does nothing when the files are already there.
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=.cache/mon
marker=$dest/root/usr/lib/mon/mon.d/tcp.monitor
if [ -x "$marker" ]; then
  echo "mon files already in $dest"
  exit 0
fi
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work" # apt's _apt user must be able to write the download here
( cd "$work" && apt-get download mon >/dev/null 2>&1 || { apt-get update -qq && apt-get download mon; } )
rm -rf "$dest/root"
dpkg -x "$work"/mon_*.deb "$dest/root"
test -x "$marker" || { echo "mon-files.sh: $marker missing after unpacking the mon package" >&2; exit 1; }
echo "mon files unpacked into $dest/root"
