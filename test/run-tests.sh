#!/bin/sh
# The whole suite: type check, then every *.test.ts under test/ (Node 20 does not
# expand globs or find .ts tests itself, so the files are listed explicitly),
# including the benchmark's smoke run (test/bench/smoke.test.ts, N = 200).
set -e
cd "$(dirname "$0")/.."
npx tsc --noEmit
files=$(find test -name '*.test.ts' | sort)
# A test that hangs fails after 5 minutes (the longest, the qemu VM test, sets 4), and a
# file whose tests are done exits even if a failed test left a socket open: a flake
# must fail the run, not hold CI until its own time limit.
exec node --import tsx --test --test-concurrency=2 --test-timeout=300000 --test-force-exit $files
