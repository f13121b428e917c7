/**
 * @fileoverview `vigil status|disable|enable|ack|test-now|reload`: a client of a
 * running vigil's HTTP API (docs/api.md). Reads need no token on loopback;
 * changes send the token from --token or VIGIL_TOKEN.
 */
import { formatStatusTable } from '../control/status-table.ts';
import { parse, withUsage, UsageError } from './args.ts';
import type { ServiceStatusView, StatusSnapshot } from '../runtime.ts';

const USAGE = `Usage: vigil status [--json]                     the state of every service
       vigil disable host H | service W S | watch W
       vigil enable  host H | service W S | watch W
       vigil ack W S COMMENT...                   acknowledge a failing service
       vigil test-now W S                         run the check of W/S now
       vigil reload                               re-read the config file
       vigil drain HOST [--timeout 5m]            LVS: weight 0 now, removed once its connections close
                                                  (or after the timeout); stays out until undrain
       vigil undrain HOST                         LVS: end the drain; health decides again

Options:
  --url URL      the running vigil's control API (default $VIGIL_URL or http://127.0.0.1:2580)
  --token TOKEN  bearer token for changes (default $VIGIL_TOKEN)
  --json         status: print the whole status as JSON (for scripts)
  --timeout D    drain: how long to wait for connections to close (default 5m; 30s, 10m, 2h)
Exit status: 0 done, 1 refused or unreachable, 2 usage.`;

const DEFAULT_URL = 'http://127.0.0.1:2580';

class ApiFailure extends Error {}

interface Client {
  call(method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs?: number): Promise<any>;
}

function client(base: string, token: string | undefined): Client {
  const root = base.replace(/\/+$/, '');
  return {
    async call(method, path, body, timeoutMs = 15_000) {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await fetch(root + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code === 'ECONNREFUSED' ? 'connection refused' : (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (cause?.message ?? (err as Error).message);
        throw new ApiFailure(`cannot reach vigil at ${root}: ${why}. Is vigil running, and does control.listen match? Give the address with --url.`);
      }
      const text = await res.text();
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        throw new ApiFailure(`${root}${path} answered HTTP ${res.status} with something that is not vigil's JSON; is --url pointing at vigil?`);
      }
      if (!res.ok) {
        let msg = json?.error ?? `HTTP ${res.status}`;
        if (Array.isArray(json?.problems)) msg += '\n' + json.problems.join('\n');
        if ((res.status === 401 || res.status === 403) && !token) msg += '\n(give the token with --token or the VIGIL_TOKEN environment variable)';
        throw new ApiFailure(msg);
      }
      return json;
    },
  };
}

const enc = encodeURIComponent;

function need(args: string[], n: number, what: string): string[] {
  if (args.length !== n) throw new UsageError(`${what}\n\n${USAGE}`);
  return args;
}

function targetPath(verb: 'disable' | 'enable', rest: string[]): { path: string; label: string } {
  const [kind, ...args] = rest;
  if (kind === 'host') {
    const [h] = need(args, 1, `which host? vigil ${verb} host HOST`);
    return { path: `/api/hosts/${enc(h!)}/${verb}`, label: `host ${h}` };
  }
  if (kind === 'service') {
    const [w, s] = need(args, 2, `which service? vigil ${verb} service WATCH SERVICE`);
    return { path: `/api/services/${enc(w!)}/${enc(s!)}/${verb}`, label: `service ${w}/${s}` };
  }
  if (kind === 'watch') {
    const [w] = need(args, 1, `which watch? vigil ${verb} watch WATCH`);
    return { path: `/api/watches/${enc(w!)}/${verb}`, label: `watch ${w}` };
  }
  throw new UsageError(`${verb} what? Say host H, service W S or watch W\n\n${USAGE}`);
}

function oneLine(s: ServiceStatusView): string {
  const state = s.status === 'fail' ? 'FAIL' : s.status;
  return `${s.watch}/${s.service}: ${state}${s.status === 'fail' && s.summary ? ` (${s.summary.split('\n')[0]})` : ''}${s.acked ? ' [acked]' : ''}${s.disabled ? ' [disabled]' : ''}`;
}

export function apiCommand(argv: string[]): Promise<number> {
  return withUsage(async () => {
    const { values, positionals } = parse(argv, { url: { type: 'string' }, token: { type: 'string' }, json: { type: 'boolean' }, timeout: { type: 'string' } }, USAGE);
    const [cmd, ...rest] = positionals;
    if (values.help || !cmd) {
      console.log(USAGE);
      return values.help ? 0 : 2;
    }
    const api = client((values.url as string | undefined) ?? process.env.VIGIL_URL ?? DEFAULT_URL, (values.token as string | undefined) ?? (process.env.VIGIL_TOKEN || undefined));
    try {
      switch (cmd) {
        case 'status': {
          need(rest, 0, 'status takes no arguments');
          const snap = (await api.call('GET', '/api/status')) as StatusSnapshot;
          if (values.json) console.log(JSON.stringify(snap, null, 2));
          else {
            const tty = !!process.stdout.isTTY;
            console.log(formatStatusTable(snap, { color: tty && !process.env.NO_COLOR, width: tty ? process.stdout.columns : undefined, now: Date.now() }));
          }
          return 0;
        }
        case 'disable':
        case 'enable': {
          const t = targetPath(cmd, rest);
          await api.call('POST', t.path);
          console.log(`${cmd}d ${t.label}`);
          return 0;
        }
        case 'ack': {
          if (rest.length < 3) throw new UsageError(`ack needs a watch, a service and a comment: vigil ack web http "replacing the disk"\n\n${USAGE}`);
          const [w, s, ...words] = rest;
          const r = await api.call('POST', `/api/services/${enc(w!)}/${enc(s!)}/ack`, { comment: words.join(' '), user: process.env.USER || 'cli' });
          console.log(`acknowledged ${oneLine(r.service)}`);
          return 0;
        }
        case 'test-now': {
          const [w, s] = need(rest, 2, 'which service? vigil test-now WATCH SERVICE');
          const r = await api.call('POST', `/api/services/${enc(w!)}/${enc(s!)}/test`, undefined, 120_000);
          console.log(`checked ${oneLine(r.service)}`);
          return 0;
        }
        case 'drain': {
          const [h] = need(rest, 1, 'which host? vigil drain HOST [--timeout 5m]');
          const timeout = (values.timeout as string | undefined) ?? '5m';
          await api.call('POST', `/api/hosts/${enc(h!)}/drain`, { timeout });
          console.log(`draining ${h}: weight 0 now, removed once its connections close (at most ${timeout}); "vigil undrain ${h}" puts it back`);
          return 0;
        }
        case 'undrain': {
          const [h] = need(rest, 1, 'which host? vigil undrain HOST');
          await api.call('POST', `/api/hosts/${enc(h!)}/undrain`, {});
          console.log(`undrained ${h}: health decides again`);
          return 0;
        }
        case 'reload': {
          need(rest, 0, 'reload takes no arguments');
          const r = await api.call('POST', '/api/reload', undefined, 60_000);
          console.log(r.message ?? 'config reloaded');
          return 0;
        }
        default:
          throw new UsageError(`unknown command "${cmd}"\n\n${USAGE}`);
      }
    } catch (err) {
      if (err instanceof ApiFailure) {
        console.error(`vigil ${cmd}: ${err.message}`);
        return 1;
      }
      throw err;
    }
  });
}
