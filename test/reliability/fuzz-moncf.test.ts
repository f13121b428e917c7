/**
 * Fuzz: the mon.cf reader (core/config/moncf.ts) over inputs mutated from the
 * mon.cf files in Debian's mon package (.cache/mon, prepared by
 * test/setup/mon-files.sh) and one of our own. It throws nothing but ConfigError,
 * never hangs, and every problem names file:line. The whole `checkConfig`
 * pipeline (reader + model validation) is fuzzed too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { monCfToModel } from '../../core/config/moncf.ts';
import { checkConfig } from '../../core/config/load.ts';
import { catalogOf } from '../../core/engine/load.ts';
import { Registry } from '../../core/registry.ts';
import { ConfigError } from '../../core/errors.ts';
import { MONCF_TOKENS, mutatedText } from './mutate.ts';
import { report, SOAK } from './report.ts';

const DOC = '.cache/mon/root/usr/share/doc/mon/examples';
const OURS = `maxprocs = 20
randstart = 10s
authtype = trustlocal
hostgroup web 127.0.0.2 127.0.0.3
hostgroup routers 127.0.0.1

watch routers
    service ping
        interval 1m
        monitor fping.monitor
        period wd {Mon-Fri} hr {7am-7pm}
            alert mail.alert ops@example.com
            alertevery 1h summary
watch web
    service http
        description front page
        interval 10s
        failure_interval 5s
        exclude_hosts 127.0.0.3
        depend routers:ping
        dep_behavior m
        MON_EXTRA=1
        monitor http.monitor -p 8080 -u /
        period daytime: wd {Mon-Fri} hr {7am-7pm}
            alertafter 2 5m
            numalerts 10
            alert exit=2-3 mail.alert pager@example.com
            upalert mail.alert ops@example.com
            startupalert mail.alert ops@example.com
        period wd {Sat-Sun}
            alertafter 3
            alert file.alert -d /tmp web.log
    service trap
        traptimeout 10m
        period
            alert mail.alert ops@example.com
`;

function seeds(): string[] {
  const need = [join(DOC, 'example.cf.gz'), join(DOC, 'very-simple.cf'), '.cache/mon/root/etc/mon/mon.cf'];
  for (const f of need) assert.ok(existsSync(f), `${f} is missing: run "bash test/setup/mon-files.sh" (CI does) to unpack Debian's mon package`);
  const read = (f: string) => (f.endsWith('.gz') ? gunzipSync(readFileSync(f)).toString('utf8') : readFileSync(f, 'utf8'));
  return [...need.map(read), OURS];
}

test('mon.cf reader: mutated configs throw only ConfigError, never hang, and every problem has file:line', { timeout: 120_000 * SOAK }, async () => {
  const file = '/etc/mon/fuzz.cf';
  const texts = seeds();
  let tried = 0;
  let rejected = 0;
  let slowest = 0;
  fc.assert(
    fc.property(mutatedText(texts, MONCF_TOKENS, 8), (text) => {
      tried++;
      const t0 = performance.now();
      try {
        monCfToModel(text, file);
      } catch (err) {
        assert.ok(err instanceof ConfigError, `threw ${(err as Error)?.stack ?? String(err)}`);
        rejected++;
        for (const p of err.problems) {
          assert.ok(p.loc, `problem without a location: ${p.message}`);
          assert.equal(p.loc.file, file);
          assert.ok(p.loc.line >= 1, `problem at line ${p.loc.line}: ${p.message}`);
          assert.ok(p.loc.line <= text.split('\n').length + 1, `line ${p.loc.line} is past the end`);
        }
      } finally {
        slowest = Math.max(slowest, performance.now() - t0);
      }
      assert.ok(slowest < 1000, `one input took ${Math.round(slowest)} ms`);
    }),
    { numRuns: 3000 * SOAK, seed: 0x3c0f, endOnFailure: true },
  );
  report('fuzz', 'mon.cf reader', `${tried} mutated inputs`, `0 crashes, 0 hangs (slowest ${Math.round(slowest)} ms), ${rejected} rejected all with file:line`);
});

test('mon.cf through checkConfig (reader + model validation): never throws, every problem has file:line', { timeout: 120_000 * SOAK }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-fuzz-moncf-'));
  const file = join(dir, 'mon.cf');
  const catalog = catalogOf(new Registry());
  let tried = 0;
  let rejected = 0;
  try {
    await fc.assert(
      fc.asyncProperty(mutatedText(seeds(), MONCF_TOKENS, 5), async (text) => {
        tried++;
        writeFileSync(file, text);
        const r = await checkConfig(file, catalog);
        if (r.problems.length) rejected++;
        for (const p of r.problems) {
          assert.ok(p.loc && p.loc.line >= 1, `problem without a line: ${JSON.stringify(p)}`);
          assert.doesNotMatch(p.message, /TypeError|ReferenceError|Cannot read properties|is not a function|undefined/, `an internal error leaked as a problem: ${p.message}`);
        }
      }),
      { numRuns: 600 * SOAK, seed: 0x3c10, endOnFailure: true },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  report('fuzz', 'mon.cf through checkConfig', `${tried} mutated inputs`, `0 crashes, ${rejected} rejected all with file:line`);
});
