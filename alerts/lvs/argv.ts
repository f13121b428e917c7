/**
 * @fileoverview ipvsadm argument vectors. Every value is its own argv word, so
 * nothing here ever goes through a shell. Pure.
 */
import { formatEndpoint } from './address.ts';
import type { ManagedService, Method, RealServer, TableServer, VirtualService } from './model.ts';

export const METHOD_FLAG: Record<Method, string> = { nat: '-m', dr: '-g', tunnel: '-i' };

/** `-t VIP:PORT`, `-u VIP:PORT`, `-f MARK [-6]`. */
export function serviceArgs(s: VirtualService): string[] {
  if (s.protocol === 'fwmark') return s.family === 6 ? ['-f', String(s.fwmark), '-6'] : ['-f', String(s.fwmark)];
  return [s.protocol === 'tcp' ? '-t' : '-u', formatEndpoint(s.address!, s.port!)];
}

export function addServiceArgs(m: ManagedService): string[] {
  const args = ['-A', ...serviceArgs(m.service), '-s', m.scheduler];
  if (m.persistent !== undefined) args.push('-p', String(m.persistent));
  return args;
}

type Dest = Pick<RealServer | TableServer, 'address' | 'port'>;

export function addServerArgs(s: VirtualService, r: Dest, method: Method, weight: number): string[] {
  return ['-a', ...serviceArgs(s), '-r', formatEndpoint(r.address, r.port), METHOD_FLAG[method], '-w', String(weight)];
}

export function editServerArgs(s: VirtualService, r: Dest, method: Method, weight: number): string[] {
  return ['-e', ...serviceArgs(s), '-r', formatEndpoint(r.address, r.port), METHOD_FLAG[method], '-w', String(weight)];
}

export function deleteServerArgs(s: VirtualService, r: Dest): string[] {
  return ['-d', ...serviceArgs(s), '-r', formatEndpoint(r.address, r.port)];
}

/** `ipvsadm -S -n`: the whole table in the form ipvsadm -R reads. */
export const SAVE_ARGS: readonly string[] = ['-S', '-n'];
