#!/usr/bin/env bash
# Debian's mon client tools (moncmd, monshow, Mon::Client), Time::Period and the mon
# daemon itself for the mon-compatibility tests, unpacked into
# .cache/mon-client/root (not installed: `mon` would start a daemon). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/setup/lib/unpack-debs.sh
root=.cache/mon-client/root
unpack_debs .cache/mon-client "$root/usr/share/perl5/Mon/Client.pm" mon mon-client libtime-period-perl
test -x "$root/usr/bin/moncmd"
test -f "$root/usr/sbin/mon"
# The compressed examples are read by the tests as plain files.
find "$root/usr/share/doc/mon/examples" -name '*.gz' -exec gzip -dkf {} \;
