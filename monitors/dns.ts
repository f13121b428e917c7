/**
 * @fileoverview The `dns` monitor: asks each host of the group (as a DNS server) one
 * question and checks rcode, answers and latency; or, with `resolver`, asks one resolver
 * about each host; or, in `soa-sync` mode, compares each host's zone serial with the
 * master's (mon's dns.monitor). Own UDP/TCP transport because node's resolver hides
 * the rcode and the TC bit.
 */
import { isIP } from 'node:net';
import dnsPacket from 'dns-packet';
import { defineMonitor, type HostCheckResult } from '../core/types.ts';
import { abortReason, onAbort } from '../core/kit/on-abort.ts';
import { evaluate } from './dns/evaluate.ts';
import { problemsOf } from '../core/kit/option-problems.ts';
import { compileOptions, optionsSchema, type DnsOptions } from './dns/options.ts';
import { formatRecord } from './dns/records.ts';
import { numericServer, resolveServer, type ResolvedServer, type ServerAddress } from './dns/server-address.ts';
import { SharedAnswer } from './dns/shared-answer.ts';
import { tcpQuery } from './dns/tcp-transport.ts';
import { UdpTransport, type Exchange } from './dns/udp-transport.ts';
import { decodeAnswers, encodeQuery, isTruncated, ptrName, rcodeOf, type QueryTemplate, type RecordType } from './dns/wire.ts';

/** How long the shared master SOA query may take, whatever the callers' own timeouts. */
const MASTER_TIMEOUT_MS = 10_000;

interface Answered {
  rcode: string;
  /** Set when the answer could not be decoded: a wrong answer, not a failed check. */
  malformed?: string;
  records: dnsPacket.Answer[];
  latencyMs: number;
  via: string;
}

export default defineMonitor<DnsOptions>({
  kind: 'monitor',
  name: 'dns',
  apiVersion: 1,
  description: 'DNS: rcode, answers and latency of a query at each host, or SOA serial sync with a master',
  optionsSchema,
  checkOptions: (options, { hosts }) => problemsOf(() => compileOptions(options, [...hosts])),
  create(options, ctx) {
    const opts = compileOptions(options, ctx.hosts);
    const udp = new UdpTransport({ maxInFlight: opts.maxInFlight, retransmitMs: opts.retransmitMs });
    const closing = new AbortController();
    const templates = new Map<string, QueryTemplate>();
    const servers = new Map<string, ResolvedServer>();
    const masterSoa = new SharedAnswer<Answered>();

    const template = (name: string, type: RecordType): QueryTemplate => {
      const key = `${type} ${name}`;
      let t = templates.get(key);
      if (!t) {
        t = encodeQuery(type === 'PTR' ? ptrName(name) : name, type, opts.recursion);
        if (templates.size < 10_000) templates.set(key, t);
      }
      return t;
    };

    // Numeric addresses are resolved once; names go to the system resolver every time (their address may move).
    const server = async (s: ServerAddress, key: string): Promise<ResolvedServer> => {
      const r = await resolveServer(s);
      if (isIP(r.host)) servers.set(key, r);
      return r;
    };
    // A host's server is rebuilt at each check rather than kept per host: for an
    // IP address that is a parse (no lookup, no await); a name is looked up every time.
    const serverOfHost = (host: string): ResolvedServer | Promise<ResolvedServer> => {
      const s = hostServer(host, opts.port);
      return numericServer(s) ?? resolveServer(s);
    };

    const ask = async (srv: ResolvedServer, t: QueryTemplate, signal: AbortSignal): Promise<Answered> => {
      let ex: Exchange;
      let via = opts.tcp ? 'TCP' : 'UDP';
      try {
        if (opts.tcp) {
          ex = await tcpQuery(srv, t, signal);
        } else {
          ex = await udp.query(srv, t, signal);
          if (isTruncated(ex.message)) {
            via = 'UDP, truncated, then TCP';
            const viaTcp = await tcpQuery(srv, t, signal);
            ex = { message: viaTcp.message, rttMs: ex.rttMs + viaTcp.rttMs };
          }
        }
      } catch (err) {
        if (signal.aborted) throw new Error(`${srv.label}: ${t.type} ${t.name}: no answer over ${via} before the check timed out`, { cause: err });
        throw new Error(`${srv.label}: ${t.type} ${t.name}: ${(err as Error).message}`, { cause: err });
      }
      const rcode = rcodeOf(ex.message);
      try {
        return { rcode, records: decodeAnswers(ex.message), latencyMs: ex.rttMs, via };
      } catch (err) {
        return { rcode, records: [], latencyMs: ex.rttMs, via, malformed: `malformed answer (${(err as Error).message})` };
      }
    };

    const soaSerial = (a: Answered): number | undefined => {
      const soa = a.records.find((r) => r.type === 'SOA');
      return a.rcode === 'NOERROR' && !a.malformed && soa?.type === 'SOA' ? soa.data.serial : undefined;
    };

    const fixedTemplate = opts.name !== undefined && !opts.resolver ? template(opts.name, opts.type) : undefined;

    const checkQuery = async (host: string, signal: AbortSignal): Promise<HostCheckResult> => {
      let srv: ResolvedServer;
      let name: string;
      let t: QueryTemplate;
      if (opts.resolver) {
        srv = servers.get('resolver') ?? (await server(opts.resolver, 'resolver'));
        name = stripBrackets(host);
        t = template(name, opts.type);
      } else {
        // The hot path (one name, thousands of servers): no per-check lookups or encoding.
        const hs = serverOfHost(host);
        srv = hs instanceof Promise ? await hs : hs;
        name = opts.name!;
        t = fixedTemplate!;
      }
      const a = await ask(srv, t, signal);
      return evaluate({ prefix: `${srv.label}: ${opts.type} ${name}`, type: opts.type, ...a }, opts.expect);
    };

    const checkSoaSync = async (host: string, signal: AbortSignal): Promise<HostCheckResult> => {
      const t = template(opts.zone!, 'SOA');
      const master = opts.master!;
      const masterSrv = servers.get('master') ?? (await server(master, 'master'));
      const masterAnswer = masterSoa.get(() =>
        ask(masterSrv, t, AbortSignal.any([closing.signal, AbortSignal.timeout(MASTER_TIMEOUT_MS)])),
      );
      const hs = serverOfHost(host);
      const srv = hs instanceof Promise ? await hs : hs;
      const isMaster = srv.address === masterSrv.address && srv.port === masterSrv.port;
      const prefix = `${srv.label}: SOA ${opts.zone}`;
      // The master's own check reuses the run's shared answer: one master query per run.
      const a = isMaster ? await raceAbort(masterAnswer, signal) : await ask(srv, t, signal);
      const serial = soaSerial(a);
      const detail = a.records.map((r) => `${r.name} ${r.type} ${formatRecord(r)}`).join('\n');
      const base = { latencyMs: a.latencyMs, detail, metrics: { latencyMs: a.latencyMs } };
      if (serial === undefined) return { ok: false, summary: `${prefix}: ${a.malformed ?? a.rcode}, no SOA record for the zone`, ...base };
      if (isMaster) return { ok: true, summary: `${prefix}: serial ${serial} (master)`, ...base, metrics: { ...base.metrics, serial } };
      let want: number | undefined;
      try {
        const m = await raceAbort(masterAnswer, signal);
        want = soaSerial(m);
        if (want === undefined) throw new Error(`${m.malformed ?? m.rcode}, no SOA record for the zone`);
      } catch (err) {
        if (signal.aborted) throw err;
        throw new Error(`${prefix}: cannot compare, master ${master.label} failed: ${(err as Error).message}`, { cause: err });
      }
      const metrics = { ...base.metrics, serial, masterSerial: want };
      if (serial !== want) {
        return { ok: false, summary: `${prefix}: serial ${serial} differs from master ${master.label} serial ${want}`, ...base, metrics };
      }
      return { ok: true, summary: `${prefix}: serial ${serial}, same as master ${master.label}`, ...base, metrics };
    };

    return {
      check: opts.mode === 'soa-sync' ? checkSoaSync : checkQuery,
      async close() {
        closing.abort(new Error('DNS monitor closed'));
        udp.close();
      },
    };
  },
});

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function hostServer(host: string, port: number): ServerAddress {
  const h = stripBrackets(host);
  return { label: h, host: h, port };
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const unwatch = onAbort(signal, () => reject(abortReason(signal)));
    p.then(
      (v) => (unwatch(), resolve(v)),
      (e) => (unwatch(), reject(e)),
    );
  });
}
