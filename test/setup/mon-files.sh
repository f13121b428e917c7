#!/usr/bin/env bash
# Debian's mon package (monitor and alert scripts), unpacked into .cache/mon/root
# (not installed: that would create a user and start a daemon). Tests run e.g.
# .cache/mon/root/usr/lib/mon/mon.d/tcp.monitor from there. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/setup/lib/unpack-debs.sh
unpack_debs .cache/mon .cache/mon/root/usr/lib/mon/mon.d/tcp.monitor mon
