/**
 * @fileoverview `npm run soak`: the reliability suite's long variants. Every
 * count in test/reliability scales with VIGIL_SOAK (fuzz inputs, soak seconds,
 * SIGKILL repetitions); this runs the suite at VIGIL_SOAK=N (default 10, or
 * `npm run soak -- 30`), saves the TAP log under .cache/reliability/ and prints
 * the table of what was tried and what held (docs/reliability.md keeps the CI
 * scale; pass --write to put the soak figures there instead).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { collect, renderTable, runSuite, writeTable } from '../table.ts';

const arg = process.argv.slice(2).find((a) => /^\d+$/.test(a));
const soak = Math.max(1, Number(arg ?? process.env.VIGIL_SOAK ?? 10));
const started = Date.now();
console.log(`reliability soak at VIGIL_SOAK=${soak}: every count x${soak}; this takes a while`);
const { tap, code } = runSuite(soak);
const dir = resolve(import.meta.dirname, '../../../.cache/reliability');
mkdirSync(dir, { recursive: true });
const log = resolve(dir, `soak-${soak}-${new Date().toISOString().replace(/[:.]/g, '-')}.tap`);
writeFileSync(log, tap);
const rows = collect(tap);
const failed = (tap.match(/^not ok \d+ - /gm) ?? []).length;
const table = renderTable(rows, { soak, date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC', failed });
console.log(table);
if (process.argv.includes('--write')) writeTable(table);
console.log(`\n${failed} failing test(s) in ${Math.round((Date.now() - started) / 1000)} s; TAP log: ${log}`);
process.exitCode = failed > 0 || code !== 0 ? 1 : 0;
