/**
 * @fileoverview The `tcp` monitor: connect to host:port, optionally over TLS,
 * optionally send a line and wait for an answer matching a regex, or speak the
 * opening of a known protocol (`preset`). One host per check.
 */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { problemsOf } from '../core/kit/option-problems.ts';
import { defineMonitor, type JsonSchema } from '../core/types.ts';
import { parseRegex, regexJudge, unescapeSend, type Dialog, type Step } from './tcp/dialog.ts';
import { PRESETS, PRESET_PORTS, presetDialog, type PresetName } from './tcp/presets.ts';
import { probe, type ProbeOptions, type ProbeTarget } from './tcp/probe.ts';

export interface TcpOptions {
  /** Port to connect to. Required unless a preset gives the default (smtp 25, ssh 22...). */
  port?: number;
  /** Text to send after connecting; `\r \n \t \0 \\ \xHH` escapes allowed. */
  send?: string;
  /** Regex the answer must match (`pattern` or `/pattern/flags`); read until it matches, EOF or maxBytes. */
  expect?: string;
  /** @default 16384 */
  maxBytes?: number;
  /** @default false */
  tls?: boolean;
  /** @default true */
  tlsVerify?: boolean;
  servername?: string;
  /** PEM file of a CA to trust (relative to the config file). */
  ca?: string;
  /** Over this, the check passes but is marked degraded. */
  latencyWarnMs?: number;
  preset?: PresetName;
  /** Redis AUTH password (preset redis). */
  password?: string;
  /** Name of an environment variable holding the Redis password. */
  passwordEnv?: string;
  /** How a probe connection ends: `reset` (RST, no TIME_WAIT) or `fin` (orderly close). @default 'reset' */
  closeWith?: 'reset' | 'fin';
}

export const tcpOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    send: { type: 'string' },
    expect: { type: 'string', minLength: 1 },
    maxBytes: { type: 'integer', minimum: 1, maximum: 16777216, default: 16384 },
    tls: { type: 'boolean', default: false },
    tlsVerify: { type: 'boolean', default: true },
    servername: { type: 'string', minLength: 1 },
    ca: { type: 'string', minLength: 1 },
    latencyWarnMs: { type: 'number', exclusiveMinimum: 0 },
    preset: { enum: [...PRESETS] },
    password: { type: 'string' },
    passwordEnv: { type: 'string', minLength: 1 },
    closeWith: { enum: ['reset', 'fin'], default: 'reset' },
  },
  // Port may come from the preset (ssh 22...); `properties` repeated for ajv's strictRequired.
  anyOf: [
    { required: ['port'], properties: { port: true } },
    { required: ['preset'], properties: { preset: true } },
  ],
};

export function buildDialog(o: TcpOptions, env: Record<string, string | undefined> = process.env): Dialog {
  const maxBytes = o.maxBytes ?? 16384;
  if (o.preset) {
    if (o.send !== undefined || o.expect !== undefined) {
      throw new Error(`tcp: preset ${o.preset} already says what to send and expect; remove send/expect, or drop the preset`);
    }
    let password = o.password;
    if (o.passwordEnv !== undefined) {
      password = env[o.passwordEnv];
      if (password === undefined) throw new Error(`tcp: environment variable ${o.passwordEnv} (passwordEnv) is not set`);
    }
    return presetDialog(o.preset, { helo: os.hostname() || 'vigil', password, maxBytes });
  }
  if (o.password !== undefined || o.passwordEnv !== undefined) throw new Error('tcp: password is only used with preset: redis');
  const step: Step = { what: o.expect !== undefined ? `/${o.expect}/` : 'sending' };
  if (o.send !== undefined) step.send = unescapeSend(o.send);
  if (o.expect !== undefined) {
    const re = parseRegex(o.expect, 'expect');
    step.what = String(re);
    step.expect = regexJudge(re, maxBytes);
  }
  return { steps: step.send || step.expect ? [step] : [] };
}

/** `::1` and `[::1]` connect to ::1 and print as `[::1]:port`; SNI only for names, never IPs. */
export function targetFor(host: string, port: number, servername?: string): ProbeTarget {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const v6 = bare.includes(':');
  const isIp = v6 || /^\d+\.\d+\.\d+\.\d+$/.test(bare);
  return {
    host: bare,
    port,
    label: (v6 ? ['[', bare, ']:', port] : [bare, ':', port]).join(''),
    servername: servername ?? (isIp ? undefined : bare),
  };
}

export default defineMonitor<TcpOptions>({
  kind: 'monitor',
  name: 'tcp',
  apiVersion: 1,
  description: 'connect to a TCP port (optionally TLS), optionally send a line and match the answer, or speak a protocol preset',
  optionsSchema: tcpOptionsSchema,
  // The daemon's environment is not this shell's: a password variable counts as set here.
  checkOptions: (options) => problemsOf(() => buildDialog(options, options.passwordEnv === undefined ? {} : { [options.passwordEnv]: '' })),
  create(options, ctx) {
    const port = options.port ?? PRESET_PORTS[options.preset!];
    const dialog = buildDialog(options, { ...process.env, ...ctx.env });
    const probeOpts: ProbeOptions = { latencyWarnMs: options.latencyWarnMs, closeWithFin: options.closeWith === 'fin' };
    if (options.tls) {
      const ca = options.ca ? fs.readFileSync(path.resolve(ctx.configDir, options.ca)) : undefined;
      probeOpts.tls = { rejectUnauthorized: options.tlsVerify ?? true, ca };
    }
    return {
      // The target is built at each check, not kept per host: it costs a fraction
      // of a microsecond, keeping it about 100 bytes a host for good.
      check(host, signal) {
        return probe(targetFor(host, port, options.servername), dialog, probeOpts, signal);
      },
    };
  },
});
