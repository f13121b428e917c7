/**
 * @fileoverview Starts what `mon_protocol` in the config asks for: the TCP
 * client protocol and, with `trap_listen`, the UDP trap listener (sharing the
 * auth.cf rules). The daemon calls `startMonProtocol` after the engine is up.
 */
import type { Logger } from '../types.ts';
import type { Runtime } from '../runtime.ts';
import type { Config } from '../model.ts';
import { createMonProtocolServer } from './server.ts';
import { createTrapListener } from './traps.ts';
import { readMonCf } from '../config/moncf.ts';
import { errorMessage } from '../errors.ts';
import { resolve } from 'node:path';

export { createMonProtocolServer } from './server.ts';
export { createTrapListener } from './traps.ts';

export interface MonProtocolHandle {
  /** Bound TCP address, and the UDP one when traps are on. */
  tcp: { host: string; port: number };
  udp?: { host: string; port: number };
  close(): Promise<void>;
}

/** Undefined when the config has no `mon_protocol`. `cfg`: the config to run from (the runtime's by default). */
export async function startMonProtocol(runtime: Runtime, log: Logger, cfg: Config = runtime.config()): Promise<MonProtocolHandle | undefined> {
  const mp = cfg.monProtocol;
  if (!mp) return undefined;
  const server = createMonProtocolServer({
    runtime,
    listen: mp.listen ?? '127.0.0.1:2583',
    authFile: mp.authFile,
    clientAllow: mp.clientAllow,
    cltimeoutMs: mp.cltimeoutMs,
    authTypes: cfg.mon.authtype?.split(/\s+/).filter(Boolean),
    // As mon: userfile relative to cfbasedir (default /etc/mon); a relative cfbasedir from the config's directory.
    userFile: resolve(cfg.dir, cfg.mon.cfbasedir ?? '/etc/mon', cfg.mon.userfile ?? 'monusers.cf'),
    histlength: Number(cfg.mon.histlength) || 100,
    log,
    checkConfig:
      cfg.format === 'moncf'
        ? async () => {
            try {
              await readMonCf(runtime.config().file);
              return undefined;
            } catch (err) {
              return errorMessage(err);
            }
          }
        : undefined,
  });
  const tcp = await server.listen();
  let udp: MonProtocolHandle['udp'];
  const traps = mp.trapListen ? createTrapListener({ runtime, listen: mp.trapListen, policy: server.policy, log }) : undefined;
  try {
    if (traps) udp = await traps.listen();
  } catch (err) {
    await server.close();
    throw err;
  }
  return {
    tcp,
    ...(udp ? { udp } : {}),
    async close() {
      await traps?.close();
      await server.close();
    },
  };
}
