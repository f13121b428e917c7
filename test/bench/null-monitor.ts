/**
 * @fileoverview A monitor plugin that answers "ok" at once, loaded by the `null`
 * benchmark scenario: with no socket in the check, vigil's CPU per check is the
 * framework's own cost (scheduler, deadline, limiter, state machine, events).
 */
import { defineMonitor } from '../../core/types.ts';

export default defineMonitor<Record<string, never>>({
  kind: 'monitor',
  name: 'bench-null',
  apiVersion: 1,
  description: 'benchmark only: every check passes at once',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create() {
    return {
      async check() {
        return { ok: true, summary: 'ok' };
      },
    };
  },
});
