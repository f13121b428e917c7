/**
 * @fileoverview A third-party plugin module, written exactly as one in its own npm
 * package would be. Name it in a config with `plugins: [./plugins/hello.ts]`.
 *
 * - monitor `hello/file-age`: fails when a file (e.g. a heartbeat written by a cron
 *   job on each host's share) is missing or older than `maxAge` seconds.
 * - alert `hello/append`: appends one line per event to a file.
 */
import { appendFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defineAlert, defineMonitor } from 'vigil/types';

interface FileAgeOptions {
  /** File to look at; `{host}` is replaced by the host name. */
  path: string;
  /** Oldest acceptable age in seconds. @default 300 */
  maxAge: number;
}

const fileAge = defineMonitor<FileAgeOptions>({
  kind: 'monitor',
  name: 'hello/file-age',
  apiVersion: 1,
  description: 'a file must exist and be fresh',
  optionsSchema: {
    type: 'object',
    properties: { path: { type: 'string', minLength: 1 }, maxAge: { type: 'number', minimum: 1, default: 300 } },
    required: ['path'],
    additionalProperties: false,
  },
  create(options, ctx) {
    return {
      async check(host, signal) {
        signal.throwIfAborted();
        const file = resolve(ctx.configDir, options.path.replaceAll('{host}', host));
        const st = await stat(file).catch(() => undefined);
        if (!st) return { ok: false, summary: `${file} does not exist` };
        const age = Math.round((ctx.now() - st.mtimeMs) / 1000);
        if (age > options.maxAge) return { ok: false, summary: `${file} is ${age}s old (max ${options.maxAge}s)` };
        return { ok: true, summary: `${file} is ${age}s old`, metrics: { age_seconds: age } };
      },
    };
  },
});

interface AppendOptions {
  /** File to append to, relative to the config's directory. */
  file: string;
}

const append = defineAlert<AppendOptions>({
  kind: 'alert',
  name: 'hello/append',
  apiVersion: 1,
  description: 'append one line per event to a file',
  events: ['down', 'still-down', 'up', 'host-down', 'host-up'],
  optionsSchema: {
    type: 'object',
    properties: { file: { type: 'string', minLength: 1 } },
    required: ['file'],
    additionalProperties: false,
  },
  create(options, ctx) {
    const file = resolve(ctx.configDir, options.file);
    return {
      async send(event) {
        const who = event.host ?? event.failedHosts.join(' ');
        await appendFile(file, `${new Date(event.at).toISOString()} ${event.type} ${event.watch}/${event.service} ${who} ${event.summary}\n`);
      },
    };
  },
});

export default { monitors: [fileAge], alerts: [append] };
