/**
 * @fileoverview `vigil import --native`: the common mon monitor scripts
 * (tcp.monitor, http.monitor, dns.monitor, fping.monitor, ping.monitor)
 * mapped to the built-in in-process monitors with the same options. Pure:
 * the caller checks each candidate against the plugin's schema and keeps the
 * script (with a note) when anything does not carry over exactly.
 */
import { basename } from 'node:path';
import type { PluginRef } from '../model.ts';

export interface NativeCandidate {
  plugin: string;
  options: Record<string, unknown>;
  /** Per-check timeout the script's -t/-timeout stood for. */
  timeoutMs?: number;
  /** What differs slightly and the operator should know. */
  caveat?: string;
}

/** Perl Getopt::Std: clustered single-letter flags, `-p80` or `-p 80`, stops at the first non-option. */
export function getoptStd(args: readonly string[], spec: string): { opts: Record<string, string | true>; rest: string[] } | undefined {
  const opts: Record<string, string | true> = {};
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      const k = spec.indexOf(c);
      if (k < 0) return undefined;
      if (spec[k + 1] === ':') {
        const v = j + 1 < a.length ? a.slice(j + 1) : args[++i];
        if (v === undefined) return undefined;
        opts[c] = v;
        break;
      }
      opts[c] = true;
    }
  }
  return { opts, rest: args.slice(i) };
}

/** Perl Getopt::Long as dns.monitor uses it: `-name value` / `--name=value`, repeatable lists. */
function getoptLong(args: readonly string[], withValue: Set<string>, flags: Set<string>): Record<string, string[]> | undefined {
  const out: Record<string, string[]> = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--?([a-z_]+)(?:=(.*))?$/.exec(args[i]!);
    if (!m) return undefined;
    const name = m[1]!;
    if (flags.has(name)) out[name] = ['1'];
    else if (withValue.has(name)) {
      const v = m[2] ?? args[++i];
      if (v === undefined) return undefined;
      (out[name] ??= []).push(v);
    } else return undefined;
  }
  return out;
}

const int = (v: string | true | undefined): number | undefined => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);

/** The built-in equivalent of a mon `monitor` line, or why there is none. */
export function nativeCandidate(ref: PluginRef): NativeCandidate | { reason: string } {
  if (ref.plugin !== 'script') return { reason: 'not a mon script' };
  const name = basename(String(ref.options.path));
  const args = (ref.options.args as string[] | undefined) ?? [];
  if (ref.options.noHosts) return { reason: `${name} runs without hosts (";;")` };
  switch (name) {
    case 'tcp.monitor': {
      const g = getoptStd(args, 'p:t:');
      if (!g || g.rest.length) return { reason: `unexpected arguments for tcp.monitor: ${args.join(' ')}` };
      const port = g.opts.p === undefined ? 23 : int(g.opts.p);
      if (!port) return { reason: `tcp.monitor -p ${String(g.opts.p)} is not a port number` };
      return { plugin: 'tcp', options: { port }, timeoutMs: (int(g.opts.t) ?? 10) * 1000 };
    }
    case 'http.monitor': {
      const g = getoptStd(args, 'p:t:u:a:m:o');
      if (!g || g.rest.length) return { reason: `unexpected arguments for http.monitor: ${args.join(' ')}` };
      if (g.opts.a !== undefined) return { reason: 'http.monitor -a (User-Agent) has no built-in equivalent' };
      if (g.opts.m !== undefined) return { reason: 'http.monitor -m matches headers and body whatever the status; the built-in matches the body of an accepted status only' };
      const port = g.opts.p === undefined ? 80 : int(g.opts.p);
      if (!port) return { reason: `http.monitor -p ${String(g.opts.p)} is not a port number` };
      const options: Record<string, unknown> = { port, path: typeof g.opts.u === 'string' ? g.opts.u : '/', status: [200, 301, 302, 401] };
      return { plugin: 'http', options, timeoutMs: (int(g.opts.t) ?? 30) * 1000, caveat: 'http.monitor speaks HTTP/1.0; the built-in http monitor uses HTTP/1.1' };
    }
    case 'fping.monitor': {
      const g = getoptStd(args, 'ahr:s:t:T');
      if (!g || g.rest.length) return { reason: `unexpected arguments for fping.monitor: ${args.join(' ')}` };
      if (g.opts.a || g.opts.T || g.opts.s !== undefined) return { reason: 'fping.monitor -a/-s/-T have no built-in equivalent' };
      const retries = int(g.opts.r) ?? 3;
      const waitMs = int(g.opts.t) ?? 2000;
      // fping -r: a host is up when any of its tries is answered.
      return { plugin: 'icmp', options: { count: retries + 1, maxLossPercent: 99, timeoutMs: waitMs, periodMs: waitMs }, timeoutMs: (retries + 1) * waitMs + 1000 };
    }
    case 'ping.monitor': {
      const g = getoptStd(args, 'c:6');
      if (!g || g.rest.length) return { reason: `unexpected arguments for ping.monitor: ${args.join(' ')}` };
      if (g.opts['6']) return { reason: 'ping.monitor -6 has no built-in switch (the icmp monitor pings what the host name resolves to)' };
      // ping exits 0 when any echo is answered.
      return { plugin: 'icmp', options: { count: int(g.opts.c) ?? 1, maxLossPercent: 99 } };
    }
    case 'dns.monitor':
      return dnsCandidate(args);
  }
  return { reason: `${name} has no built-in equivalent` };
}

function dnsCandidate(args: readonly string[]): NativeCandidate | { reason: string } {
  const o = getoptLong(args, new Set(['master', 'zone', 'serial_threshold', 'query', 'retry', 'retransmit', 'timeout', 'debug']), new Set(['caching_only', 'tcp', 'failsingle']));
  if (!o) return { reason: `unexpected arguments for dns.monitor: ${args.join(' ')}` };
  const timeoutMs = o.timeout ? Number(o.timeout[0]) * 1000 : undefined;
  const common = { ...(o.tcp ? { tcp: true } : {}) };
  if (o.caching_only) {
    if (o.query?.length !== 1) return { reason: 'dns.monitor with several -query has no single built-in equivalent' };
    const [name, type, value] = o.query[0]!.split(':');
    return {
      plugin: 'dns',
      options: { ...common, name, ...(type ? { type: type.toUpperCase() } : {}), ...(value ? { answers: [value] } : {}) },
      ...(timeoutMs ? { timeoutMs } : {}),
    };
  }
  if (o.zone?.length === 1 && o.master?.length === 1 && !o.serial_threshold && !o.failsingle) {
    return {
      plugin: 'dns',
      options: { ...common, mode: 'soa-sync', zone: o.zone[0], master: o.master[0] },
      ...(timeoutMs ? { timeoutMs } : {}),
      caveat: 'dns.monitor compares the whole zone answers; the built-in compares the SOA serial with the master',
    };
  }
  return { reason: 'this dns.monitor form (several zones/masters, serial_threshold, failsingle) has no built-in equivalent' };
}
