/**
 * @fileoverview `vigil import [--native] [-o FILE] MON.CF`: prints (or writes)
 * the vigil.yaml equivalent of a mon config. `--native` swaps the common mon
 * monitor scripts for the built-in monitors where the options carry over.
 */
import { writeFileSync } from 'node:fs';
import type { Config } from '../model.ts';
import { ConfigError, errorMessage } from '../errors.ts';
import { readMonCf } from '../config/moncf.ts';
import { modelToYaml } from '../config/to-yaml.ts';
import { nativeCandidate } from '../config/native-monitors.ts';
import { Registry } from '../registry.ts';
import { validatorFor } from '../config/ajv.ts';
import { formatDuration } from '../duration.ts';

const USAGE = `Usage: vigil import [--native] [-o FILE] MON.CF

Reads a mon config (mon.cf, or a .m4 one through m4) and prints the equivalent
vigil.yaml. Notes at the top of the output say where vigil differs from mon.
  --native    use the built-in tcp/http/dns/icmp monitors instead of
              tcp.monitor, http.monitor, dns.monitor, fping.monitor and
              ping.monitor where their options carry over exactly
  -o FILE     write the YAML to FILE instead of stdout`;

export async function importCommand(argv: string[]): Promise<number> {
  let native = false;
  let out: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--native') native = true;
    else if (a === '-o' || a === '--output') out = argv[++i];
    else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      return 0;
    } else if (a.startsWith('-')) {
      console.error(`vigil import: unknown option ${a}\n${USAGE}`);
      return 2;
    } else files.push(a);
  }
  if (files.length !== 1 || (out !== undefined && out === '')) {
    console.error(USAGE);
    return 2;
  }
  let config: Config;
  try {
    config = await readMonCf(files[0]!);
    if (native) await useNativeMonitors(config, new Registry());
  } catch (err) {
    console.error(err instanceof ConfigError ? `vigil import: the mon config has errors:\n${err.message}` : `vigil import: ${errorMessage(err)}`);
    return 1;
  }
  const yaml = modelToYaml(config, { source: files[0] });
  if (out) writeFileSync(out, yaml);
  else process.stdout.write(yaml);
  return 0;
}

/** Replaces each mappable mon monitor script by its built-in, checked against the plugin's own schema. */
export async function useNativeMonitors(config: Config, registry: Registry): Promise<void> {
  for (const w of config.watches) {
    for (const s of w.services) {
      if (!s.monitor) continue;
      const c = nativeCandidate(s.monitor);
      const script = `${String(s.monitor.options.path)} ${((s.monitor.options.args as string[]) ?? []).join(' ')}`.trim();
      if ('reason' in c) {
        if (/^(tcp|http|dns|fping|ping)\.monitor$/.test(String(s.monitor.options.path).split('/').pop()!)) {
          config.notes.push({ loc: s.monitor.loc, message: `--native: kept the script "${script}": ${c.reason}` });
        }
        continue;
      }
      const plugin = await registry.get('monitor', c.plugin).catch(() => undefined);
      const invalid = !plugin ? `the built-in ${c.plugin} monitor is not available in this build` : schemaProblem(plugin.optionsSchema, c.options);
      if (invalid) {
        config.notes.push({ loc: s.monitor.loc, message: `--native: kept the script "${script}": ${invalid}` });
        continue;
      }
      s.monitor = { plugin: c.plugin, options: c.options, ...(s.monitor.loc ? { loc: s.monitor.loc } : {}) };
      if (c.timeoutMs) s.timeoutMs = c.timeoutMs;
      const extra = c.caveat ? ` (${c.caveat})` : '';
      config.notes.push({ loc: s.monitor.loc, message: `--native: "${script}" became the built-in ${c.plugin} monitor, timeout ${formatDuration(s.timeoutMs)}${extra}` });
    }
  }
  // "monitor X not found" no longer matters for a script that no service runs any more.
  const stillUsed = new Set(config.watches.flatMap((w) => w.services.flatMap((s) => (s.monitor?.plugin === 'script' ? [String(s.monitor.options.path)] : []))));
  config.notes = config.notes.filter((n) => {
    const m = /^monitor (\S+) not found in mondir /.exec(n.message);
    return !m || stillUsed.has(m[1]!);
  });
}

function schemaProblem(schema: Record<string, unknown> | undefined, options: Record<string, unknown>): string | undefined {
  if (!schema) return Object.keys(options).length ? 'the built-in takes no options' : undefined;
  const validate = validatorFor(schema);
  if (validate(structuredClone(options))) return undefined;
  return `the built-in's options do not accept ${JSON.stringify(options)}: ${validate.errors?.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`;
}
