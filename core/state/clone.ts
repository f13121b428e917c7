/**
 * @fileoverview A copy of a service state for the pure transition functions: the
 * records the transitions change (top level, each host memory, each period
 * memory, ack) are copied; check results and strings, never changed in place,
 * are shared. structuredClone here cost a deep copy of every host's last result
 * on every run (thousands a second), most of the state machine's CPU and garbage.
 */
import type { ServiceState } from './types.ts';
import { hostRecord } from './host-record.ts';

export function cloneState(s: ServiceState): ServiceState {
  const out: ServiceState = { ...s, hosts: hostRecord(), periods: {} };
  for (const h in s.hosts) out.hosts[h] = { ...s.hosts[h]! };
  for (const p in s.periods) out.periods[p] = { ...s.periods[p]! };
  if (s.ack) out.ack = { ...s.ack };
  return out;
}
