/**
 * @fileoverview The `vigil` command line. Each subcommand lives in its own file;
 * this one only dispatches and prints help.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { runCommand } from './run-command.ts';
import { checkCommand } from './check-command.ts';
import { testCommand } from './test-command.ts';
import { optionalCommand } from './optional.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const VERSION: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;

const HELP = `vigil ${VERSION}: health checks for LVS directors and everything mon watched

Usage: vigil <command> [options]

Commands:
  run -c FILE            run the daemon on FILE (vigil.yaml, or a mon.cf as it is)
  check -c FILE          validate FILE; print every problem with file:line:column
  test -c FILE W/S       run the check of service S of watch W once, print each host's result
  import [--native] FILE convert a mon.cf to vigil.yaml (printed on stdout)
  history -c FILE        recent events and alert deliveries from the state store
  status                 the state of every service, from a running vigil (HTTP API)
  disable|enable|ack|test-now|reload
                         operator actions on a running vigil (HTTP API; needs the token)
  drain HOST [--timeout 5m] | undrain HOST
                         take a real server out of its LVS pools gently / let health decide again
  lvs show|plan -c FILE  the IPVS table with each real server's health / the commands a config would run

Options:
  -h, --help             help for a command: vigil <command> --help
  -v, --version          print the version

Signals (run): SIGHUP reloads the config (a bad config is reported and the running one kept),
SIGTERM/SIGINT stop cleanly.
Docs: README.md and docs/ in the vigil package.`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(HELP);
      return cmd === undefined ? 2 : 0;
    case '-v':
    case '--version':
    case 'version':
      console.log(VERSION);
      return 0;
    case 'run':
      return runCommand(rest);
    case 'check':
      return checkCommand(rest);
    case 'test':
      return testCommand(rest);
    default: {
      const code = await optionalCommand(cmd, rest);
      if (code !== undefined) return code;
      console.error(`vigil: unknown command "${cmd}". Run "vigil --help" for the list of commands.`);
      return 2;
    }
  }
}

/** Runs the CLI as a process: exit status, and a stopped daemon really exits. */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
      // The daemon has closed everything it owns; a plugin's forgotten timer or
      // socket must not keep a stopped vigil alive.
      if (argv[0] === 'run') setTimeout(() => process.exit(code), 200).unref();
    },
    (err) => {
      console.error(`vigil: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}

// `node core/cli/main.ts ...` (tests, npm start); bin/vigil.js calls runCli itself.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) runCli(process.argv.slice(2));
