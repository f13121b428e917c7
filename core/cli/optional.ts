/**
 * @fileoverview Subcommands that live beside the subsystem they drive (mon
 * import, LVS, history, the HTTP API client). Each is imported only when used,
 * so `vigil run` does not load the HTTP client and `vigil status` not the engine.
 */
type Command = (argv: string[]) => Promise<number>;

const api = (verb: string) => async (argv: string[]) => (await import('./api-command.ts')).apiCommand([verb, ...argv]);

const TABLE: Record<string, Command> = {
  import: async (argv) => (await import('./import-command.ts')).importCommand(argv),
  lvs: async (argv) => (await import('./lvs-command.ts')).lvsCommand(argv),
  history: async (argv) => (await import('./history-command.ts')).historyCommand(argv),
  status: api('status'),
  disable: api('disable'),
  enable: api('enable'),
  ack: api('ack'),
  'test-now': api('test-now'),
  reload: api('reload'),
  drain: api('drain'),
  undrain: api('undrain'),
};

export async function optionalCommand(cmd: string, argv: string[]): Promise<number | undefined> {
  const run = Object.hasOwn(TABLE, cmd) ? TABLE[cmd] : undefined;
  return run ? run(argv) : undefined;
}
