/**
 * @fileoverview Starts the network front ends a config asks for (HTTP API and
 * status page, mon client protocol and traps) around a running engine, and
 * restarts one after a reload that changed its settings (a new listen address, a
 * rotated token, another auth.cf): a reload that left the old token working
 * would be a trap. A front end that cannot start on its new settings is started
 * again on its old ones, and the log says so.
 */
import type { Logger } from './types.ts';
import type { Config } from './model.ts';
import type { Engine } from './engine/engine.ts';
import { errorMessage } from './errors.ts';
import { startControlServer } from './control/http-server.ts';
import { startSelfWatch } from './control/self-watch.ts';
import { startMonProtocol } from './mon-protocol/index.ts';

export interface FrontEnds {
  close(): Promise<void>;
}

interface Running {
  close(): Promise<void>;
}

/** One front end: the part of the config it runs from, and how to start it from a config. */
interface FrontEnd {
  what: string;
  part: string;
  settings(cfg: Config): unknown;
  start(cfg: Config, log: Logger): Promise<Running | undefined>;
}

function frontEndsOf(engine: Engine): FrontEnd[] {
  return [
    {
      what: 'control API',
      part: 'control',
      settings: (cfg) => cfg.control,
      start: async (cfg, log) => (cfg.control ? startControlServer({ engine, log, control: cfg.control }) : undefined),
    },
    {
      what: 'mon client protocol',
      part: 'mon-protocol',
      settings: (cfg) => [cfg.monProtocol, cfg.mon.authtype, cfg.mon.cfbasedir, cfg.mon.userfile, cfg.mon.histlength],
      start: (cfg, log) => startMonProtocol(engine, log, cfg),
    },
  ];
}

/** A front end as it runs: restarted when its settings change. */
class Slot {
  private running?: Running;
  private cfg!: Config;
  private key = '';
  private failed = false;

  constructor(
    private readonly fe: FrontEnd,
    private readonly log: Logger,
  ) {}

  /** Starts it on `cfg`; false (and logged) when it could not. */
  async start(cfg: Config, what = 'not started'): Promise<boolean> {
    this.cfg = cfg;
    this.key = JSON.stringify(this.fe.settings(cfg)) ?? '';
    try {
      this.running = await this.fe.start(cfg, this.log);
      this.failed = false;
      return true;
    } catch (err) {
      this.failed = true;
      // Checks and alerts matter more than the API: keep monitoring, say so loudly.
      this.log.error({ err: errorMessage(err) }, `${this.fe.what} ${what}; monitoring and alerts go on without it`);
      return false;
    }
  }

  /** After a reload: restarts it when its settings changed or it is down; on failure, back on the old ones. */
  async follow(cfg: Config): Promise<void> {
    if ((JSON.stringify(this.fe.settings(cfg)) ?? '') === this.key && !this.failed) return;
    const old = this.cfg;
    this.log.info({}, this.failed ? `${this.fe.what} is down: starting it again` : `${this.fe.what} settings changed: restarting it`);
    await this.close();
    if (await this.start(cfg, 'not restarted on the new settings')) return;
    if (await this.start(old, 'not started again on the old settings either')) {
      this.log.warn({}, `${this.fe.what} runs on its old settings; fix the config and reload again`);
    }
  }

  async close(): Promise<void> {
    const r = this.running;
    this.running = undefined;
    await r?.close();
  }
}

export async function startFrontEnds(engine: Engine, log: Logger): Promise<FrontEnds> {
  const slots = frontEndsOf(engine).map((fe) => new Slot(fe, log.child({ part: fe.part })));
  for (const s of slots) await s.start(engine.config());
  // One restart at a time, after the reload's own answer (it may come over the API being restarted).
  let following = Promise.resolve();
  const offReload = engine.on('reload', () => {
    following = following
      .then(() => new Promise<void>((r) => setImmediate(r)))
      .then(async () => {
        for (const s of slots) await s.follow(engine.config());
      })
      // A failed close must not end the chain: the next reload tries again.
      .catch((err) => log.error({ err: errorMessage(err) }, 'front ends: following the reload failed; reload again'));
  });
  // Last, so systemd hears READY=1 only once every front end listens.
  const selfWatch = startSelfWatch(() => engine.status(), log.child({ part: 'systemd' }));
  return {
    async close() {
      offReload();
      await following;
      await Promise.allSettled([...slots.map((s) => s.close()), selfWatch.close()]);
    },
  };
}
