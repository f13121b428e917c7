#!/usr/bin/env bash
# Prepares Debian's mon client tools (moncmd, monshow, Mon::Client), Time::Period and
# the mon daemon itself for the mon-compatibility tests, WITHOUT installing them
# (installing `mon` would start a daemon): apt-get download + dpkg -x into
# .cache/mon-client/root. Idempotent; run as root from the repo root by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=.cache/mon-client
stamp="$dest/.done-v1"
[ -e "$stamp" ] && exit 0
mkdir -p "$dest/debs" "$dest/root"
cd "$dest/debs"
if ! apt-get download mon mon-client libtime-period-perl >/dev/null 2>&1; then
  apt-get update -qq
  apt-get download mon mon-client libtime-period-perl
fi
for f in *.deb; do dpkg -x "$f" ../root; done
cd ..
# The compressed examples are read by the tests as plain files.
find root/usr/share/doc/mon/examples -name '*.gz' -exec gzip -dkf {} \;
test -x root/usr/bin/moncmd
test -f root/usr/share/perl5/Mon/Client.pm
test -f root/usr/sbin/mon
touch .done-v1
