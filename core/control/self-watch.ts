/**
 * @fileoverview Tells systemd (when vigil runs under it with Type=notify) that
 * vigil is ready, and pings its watchdog while the loop and scheduler are alive.
 */
import type { Logger } from '../types.ts';
import type { StatusSnapshot } from '../runtime.ts';
import { createHealth } from './health.ts';
import { startSystemdNotify } from './systemd-notify.ts';

export function startSelfWatch(status: () => StatusSnapshot, log: Logger, env: NodeJS.ProcessEnv = process.env): { close(): Promise<void> } {
  if (!env.NOTIFY_SOCKET) return { close: async () => {} };
  const health = createHealth(status);
  const notify = startSystemdNotify({ log, env, alive: () => health.healthz().ok });
  notify.ready();
  return {
    async close() {
      notify.close();
      health.close();
    },
  };
}
