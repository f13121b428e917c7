/**
 * The `.json` reader (JSON.parse plus a positions pass) must answer every position
 * question exactly as the YAML document does for the same text (JSON is YAML), and
 * must hand anything odd back to the YAML reader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineCounter, parseDocument } from 'yaml';
import { readJsonConfig } from '../../core/config/json-positions.ts';
import { yamlLocator, type Path } from '../../core/config/positions.ts';

const CONFIG = {
  state_dir: '/tmp/x',
  hostgroups: { web: ['127.0.0.2', '127.0.0.3', 'bad host'], db: ['127.0.0.9'] },
  watches: {
    web: {
      services: {
        http: { interval: '10s', monitor: { plugin: 'http', port: 8080, status: [200, 204] }, alerts: [{ plugin: 'log' }] },
        tcp: {
          monitor: { plugin: 'tcp', port: 80 },
          periods: [{ when: 'always', alerts: [{ plugin: 'log' }, { plugin: 'email', options: { to: ['a@b'] } }] }],
        },
      },
    },
  },
  'ключ': { 'é': 1 },
};

/** Every path in the value, plus some that do not exist. */
function paths(v: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, String(i)])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

for (const [name, text] of [
  ['pretty', JSON.stringify(CONFIG, null, 2)],
  ['one line', JSON.stringify(CONFIG)],
  ['odd spacing', JSON.stringify(CONFIG, null, '\t').replace(/: /g, ' :\n   ')],
] as const) {
  test(`JSON positions equal the YAML document's (${name})`, () => {
    const json = readJsonConfig('c.json', text);
    assert.ok(json, 'read by the JSON reader');
    assert.deepEqual(json.raw, CONFIG);
    const lines = new LineCounter();
    const yaml = yamlLocator('c.json', parseDocument(text, { lineCounter: lines }), lines);
    const asked: Path[] = [
      ...paths(CONFIG),
      ['watches', 'web', 'services', 'http', 'periods', 0, 'alerts', 0, 'plugin'], // the implicit period (build.ts's numeric index)
      ['watches', 'web', 'services', 'http', 'periods', 0],
      ['watches', 'web', 'services', 'tcp', 'periods', 0, 'alerts', 1, 'options', 'to', 0],
      ['watches', 'web', 'services', 'nope', 'monitor'],
      ['hostgroups', 'web', '7'],
      ['hostgroups', 'web', '2', 'deeper'],
      ['watches', 'web', 'services', 'tcp', 'periods', '3', 'when'],
    ];
    for (const p of asked) {
      for (const key of [false, true]) assert.deepEqual(json.locate(p, { key }), yaml(p, { key }), `${p.join('/')} key=${key}`);
    }
  });
}

test('anything odd is left to the YAML reader', () => {
  assert.equal(readJsonConfig('c.json', '{ "a": 1, "a": 2 }'), undefined, 'duplicate key');
  assert.equal(readJsonConfig('c.json', '{ "a": 1, }'), undefined, 'trailing comma');
  assert.equal(readJsonConfig('c.json', '{ "a": 1 // note\n}'), undefined, 'comment');
  assert.equal(readJsonConfig('c.json', ''), undefined, 'empty');
  assert.equal(readJsonConfig('c.json', '[1, 2]'), undefined, 'a list');
  assert.equal(readJsonConfig('c.json', 'null'), undefined, 'null');
  assert.equal(readJsonConfig('c.json', '{ "a": [1, { "b": 2 }], "c": { "d": [] } }')?.raw !== undefined, true);
});
