/**
 * @fileoverview The `log` alert: one JSON line per event (service and host events),
 * to stdout or appended to a file, for log shippers and for seeing what the engine
 * decided. The service's VAR=value environment is left out: it may hold secrets.
 */
import { mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { defineAlert, HOST_EVENTS, SERVICE_EVENTS, type AlertEvent } from '../core/types.ts';

export interface LogAlertOptions {
  /** File to append to (relative to the config's directory). Absent: stdout. */
  file?: string;
  /** `json`: one JSON object per line; `text`: one short line for people. @default "json" */
  format?: 'json' | 'text';
}

/** A short line for people: time, event, watch/service, the host for host events, summary. */
export function textLine(e: AlertEvent): string {
  const where = e.host ? `${e.watch}/${e.service} ${e.host}` : `${e.watch}/${e.service}`;
  const what = e.result?.summary ?? e.summary;
  return `${new Date(e.at).toISOString()} ${e.type.toUpperCase().padEnd(12)} ${where}${what ? `: ${what}` : ''}\n`;
}

/** The line written for one event: every field but `env`, plus readable times. */
export function eventLine(e: AlertEvent): string {
  const { env: _secretsMaybe, ...rest } = e;
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return JSON.stringify({ time: iso(e.at), ...rest, detail: cut(e.detail), output: cut(e.output), sinceTime: iso(e.since) }) + '\n';
}

/** A log line stays small: a script's megabyte of output belongs in the history, not in every line. */
export const MAX_FIELD = 64 * 1024;
const cut = (s: string | undefined) => (s === undefined || s.length <= MAX_FIELD ? s : `${s.slice(0, MAX_FIELD)}\n[vigil: cut at ${MAX_FIELD} characters]`);

export default defineAlert<LogAlertOptions>({
  kind: 'alert',
  name: 'log',
  apiVersion: 1,
  description: 'write one JSON line per event to stdout or a file',
  events: [...SERVICE_EVENTS, ...HOST_EVENTS],
  optionsSchema: {
    type: 'object',
    properties: { file: { type: 'string', minLength: 1 }, format: { enum: ['json', 'text'], default: 'json' } },
    additionalProperties: false,
  },
  create(options, ctx) {
    const file = options.file === undefined ? undefined : resolve(ctx.configDir, options.file);
    let dirReady = false;
    return {
      async send(event) {
        const line = options.format === 'text' ? textLine(event) : eventLine(event);
        if (!file) {
          process.stdout.write(line);
          return;
        }
        if (!dirReady) {
          await mkdir(dirname(file), { recursive: true });
          dirReady = true;
        }
        // One write(2) per line on an O_APPEND file keeps lines whole with other writers
        // (every service's log alert may share the file); appendFile splits at 512 KiB.
        const buf = Buffer.from(line);
        const fh = await open(file, 'a');
        try {
          await fh.write(buf, 0, buf.length, null);
        } finally {
          await fh.close();
        }
      },
    };
  },
});
