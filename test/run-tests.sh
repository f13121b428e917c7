#!/bin/sh
# The whole suite: type check, then every *.test.ts under test/ (Node 20 does not
# expand globs or find .ts tests itself, so the files are listed explicitly),
# including the benchmark's smoke run (test/bench/smoke.test.ts, N = 200).
set -e
cd "$(dirname "$0")/.."
npx tsc --noEmit
files=$(find test -name '*.test.ts' | sort)
exec node --import tsx --test --test-concurrency=2 $files
