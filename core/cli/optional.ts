/**
 * @fileoverview Subcommands that live beside the subsystem they drive
 * (mon import, LVS, history, the HTTP API client). Each module exports one
 * `async (argv) => exitCode` function.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

const TABLE: Record<string, { file: string; fn: string; prefix?: string[] }> = {
  import: { file: 'import-command.ts', fn: 'importCommand' },
  lvs: { file: 'lvs-command.ts', fn: 'lvsCommand' },
  history: { file: 'history-command.ts', fn: 'historyCommand' },
  status: { file: 'api-command.ts', fn: 'apiCommand', prefix: ['status'] },
  disable: { file: 'api-command.ts', fn: 'apiCommand', prefix: ['disable'] },
  enable: { file: 'api-command.ts', fn: 'apiCommand', prefix: ['enable'] },
  ack: { file: 'api-command.ts', fn: 'apiCommand', prefix: ['ack'] },
  'test-now': { file: 'api-command.ts', fn: 'apiCommand', prefix: ['test-now'] },
  reload: { file: 'api-command.ts', fn: 'apiCommand', prefix: ['reload'] },
  drain: { file: 'api-command.ts', fn: 'apiCommand', prefix: ['drain'] },
  undrain: { file: 'api-command.ts', fn: 'apiCommand', prefix: ['undrain'] },
};

export async function optionalCommand(cmd: string, argv: string[]): Promise<number | undefined> {
  const entry = TABLE[cmd];
  if (!entry) return undefined;
  const file = join(HERE, entry.file);
  if (!existsSync(file)) {
    console.error(`vigil: the "${cmd}" command is not part of this build`);
    return 2;
  }
  const mod = (await import(pathToFileURL(file).href)) as Record<string, (argv: string[]) => Promise<number>>;
  return mod[entry.fn]!([...(entry.prefix ?? []), ...argv]);
}
