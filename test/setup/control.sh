#!/usr/bin/env bash
# promtool from Debian's prometheus package, unpacked into .cache/control/root
# (not installed: that would create a user and start a server).
# test/control/metrics.test.ts validates /metrics with
# .cache/control/root/usr/bin/promtool check metrics. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/setup/lib/unpack-debs.sh
unpack_debs .cache/control .cache/control/root/usr/bin/promtool prometheus
