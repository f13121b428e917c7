#!/usr/bin/env bash
# Unpack promtool from Debian's prometheus package into .cache/control/root
# WITHOUT installing it: installing prometheus creates a user and starts a server.
# test/control/metrics.test.ts validates /metrics with
# .cache/control/root/usr/bin/promtool check metrics.
# Idempotent: does nothing when the binary is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=.cache/control
marker=$dest/root/usr/bin/promtool
if [ -x "$marker" ]; then
  echo "promtool already in $dest"
  exit 0
fi
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work" # apt's _apt user must be able to write the download here
( cd "$work" && apt-get download prometheus >/dev/null 2>&1 || { apt-get update -qq && apt-get download prometheus; } )
rm -rf "$dest/root"
dpkg -x "$work"/prometheus_*.deb "$dest/root"
test -x "$marker" || { echo "control.sh: $marker missing after unpacking the prometheus package" >&2; exit 1; }
echo "promtool unpacked into $dest/root"
