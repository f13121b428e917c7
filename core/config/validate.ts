/**
 * @fileoverview Checks that span the model, for both the native config and mon.cf:
 * hostgroups of watches, exclude_hosts, period specs, dependencies, and every
 * plugin reference with its options (defaults from plugin schemas are filled in).
 */
import type { ConfigProblem } from '../errors.ts';
import type { Config, ConfigNote, Loc, PluginRef, Service } from '../model.ts';
import type { JsonSchema } from '../types.ts';
import { checkPeriod } from '../period.ts';
import { validatorFor } from './ajv.ts';
import { closest, describeAjvErrors } from './ajv-errors.ts';
import { pathText, type Locator, type Path } from './positions.ts';
import type { PluginCatalog } from './load.ts';

type Kind = 'monitor' | 'alert';
const DEP_KEYS = ['depend', 'alertdepend', 'monitordepend', 'hostdepend'] as const;
const DEP_TERM = /([a-zA-Z0-9_.-]+):([a-zA-Z0-9_.-]+)/g;
const ALERT_LISTS = ['alerts', 'upalerts', 'startupalerts', 'ackalerts', 'disablealerts'] as const;

/**
 * Validates what spans the model and completes it: auto-creates the one-host group of a
 * watch without a hostgroup (as mon does) and fills plugin option defaults into
 * `PluginRef.options`. Notes are also appended to `config.notes`.
 * `locate` maps a model path to its place in the file (native configs); without it,
 * problems point at the nearest item's `loc`.
 */
export async function validateModel(
  config: Config,
  plugins: PluginCatalog,
  locate?: Locator,
): Promise<{ problems: ConfigProblem[]; notes: ConfigNote[] }> {
  const v = new ModelValidator(config, plugins, locate);
  await v.run();
  config.notes.push(...v.notes);
  return { problems: v.problems, notes: v.notes };
}

class ModelValidator {
  readonly problems: ConfigProblem[] = [];
  readonly notes: ConfigNote[] = [];
  private readonly brokenSchemas = new Set<string>();

  constructor(
    private readonly config: Config,
    private readonly plugins: PluginCatalog,
    private readonly locate?: Locator,
  ) {}

  private problem(path: Path, fallback: Loc | undefined, message: string, key = false): void {
    const at = this.locate?.(path, { key });
    this.problems.push({ loc: at?.loc ?? fallback, path: pathText(at?.path ?? path), message });
  }

  async run(): Promise<void> {
    this.hostgroups();
    const badSpecs = this.namedPeriods();
    const services = new Map(this.config.watches.map((w) => [w.name, new Set(w.services.map((s) => s.name))]));
    for (const w of this.config.watches) {
      for (const s of w.services) {
        const path = ['watches', w.name, 'services', s.name];
        this.excludes(s, path);
        this.periods(s, path, badSpecs);
        this.depends(s, path, services);
        await this.pluginRefs(s, path);
      }
    }
  }

  private hostgroups(): void {
    const { hostgroups, watches } = this.config;
    if (Object.getPrototypeOf(hostgroups) !== Object.prototype) {
      // mon.cf's "hostgroup __proto__ ..." replaced the map's prototype instead of adding a group.
      this.problem(['hostgroups', '__proto__'], { file: this.config.file, line: 1 }, '"__proto__" is reserved and cannot be a hostgroup name; choose another');
    }
    for (const w of watches) {
      if (w.name === '__proto__') {
        this.problem(['watches', w.name], w.loc, '"__proto__" is reserved and cannot be a watch name; choose another');
        continue;
      }
      // Own keys only: a watch called "constructor" must not find Object.prototype.constructor.
      if (Object.hasOwn(hostgroups, w.name)) continue;
      hostgroups[w.name] = [w.name];
      this.notes.push({
        loc: w.loc,
        message: `watch "${w.name}" has no hostgroup of that name, so it watches the single host "${w.name}" (as mon does); add it under hostgroups: if you meant a group`,
      });
    }
    const watched = new Set(watches.map((w) => w.name));
    for (const g of Object.keys(hostgroups)) {
      if (!watched.has(g)) {
        this.notes.push({ loc: this.locate?.(['hostgroups', g], { key: true })?.loc, message: `hostgroup "${g}" has no watch; nothing checks its hosts` });
      }
    }
  }

  private namedPeriods(): Set<string> {
    const bad = new Set<string>();
    for (const [name, spec] of Object.entries(this.config.periods)) {
      const err = checkPeriod(spec);
      if (err) {
        bad.add(spec);
        this.problem(['periods', name], undefined, err);
      }
    }
    return bad;
  }

  private excludes(s: Service, path: Path): void {
    const members = this.config.hostgroups[s.watch] ?? [];
    s.excludeHosts.forEach((h, i) => {
      if (members.includes(h)) return;
      this.problem([...path, 'exclude_hosts', i], s.loc, `"${h}" is not in hostgroup "${s.watch}" (${members.join(', ') || 'no hosts'}); fix the name or remove it`);
    });
    if (s.excludePeriod !== undefined) {
      const err = checkPeriod(s.excludePeriod);
      if (err) this.problem([...path, 'exclude_period'], s.loc, err);
    }
  }

  private periods(s: Service, path: Path, badSpecs: Set<string>): void {
    s.periods.forEach((p, i) => {
      if (badSpecs.has(p.spec)) return; // reported once, where the named period is defined
      const err = checkPeriod(p.spec);
      if (err) this.problem([...path, 'periods', i, 'when'], p.loc ?? s.loc, err);
    });
  }

  private depends(s: Service, path: Path, services: Map<string, Set<string>>): void {
    for (const key of DEP_KEYS) {
      const expr = s[key];
      if (!expr) continue;
      for (const [term, watch, service] of expr.matchAll(DEP_TERM)) {
        const known = services.get(watch!);
        if (!known) {
          this.problem([...path, key], s.loc, `"${term}" names watch "${watch}", which does not exist; watches are: ${[...services.keys()].join(', ')}`);
        } else if (!known.has(service!)) {
          this.problem([...path, key], s.loc, `"${term}" names service "${service}", which watch "${watch}" does not have; it has: ${[...known].join(', ')}`);
        }
      }
    }
  }

  private async pluginRefs(s: Service, path: Path): Promise<void> {
    // The hosts `create` will get (core/engine): the watch's group, or the watch as its one host.
    const hosts = this.config.hostgroups[s.watch] ?? [s.watch];
    if (s.monitor) await this.pluginRef('monitor', 'monitor', s.monitor, [...path, 'monitor'], hosts);
    if (s.redistribute) await this.pluginRef('alert', 'redistribute', s.redistribute, [...path, 'redistribute'], hosts);
    for (const [i, p] of s.periods.entries()) {
      for (const list of ALERT_LISTS) {
        for (const [j, ref] of p[list].entries()) await this.pluginRef('alert', list, ref, [...path, 'periods', i, list, j], hosts);
      }
    }
  }

  private async pluginRef(kind: Kind, label: string, ref: PluginRef, path: Path, hosts: readonly string[]): Promise<void> {
    let schema: JsonSchema | null | undefined;
    try {
      schema = await this.plugins.schema(kind, ref.plugin);
    } catch (err) {
      this.problem([...path, 'plugin'], ref.loc, `cannot load ${kind} plugin "${ref.plugin}": ${(err as Error).message}`);
      return;
    }
    if (schema === undefined) {
      const known = await this.plugins.names(kind);
      const near = closest(ref.plugin, known);
      this.problem([...path, 'plugin'], ref.loc, `unknown plugin "${ref.plugin}"${near ? ` (did you mean "${near}"?)` : ''}; known ${kind}s: ${known.join(', ') || 'none'}`);
      return;
    }
    const who = `${label} (${ref.plugin})`;
    if (schema === null) {
      for (const k of Object.keys(ref.options)) this.problem([...path, k], ref.loc, `${who}: unexpected option "${k}"; this plugin takes no options`, true);
      return;
    }
    let validate;
    try {
      validate = validatorFor(schema);
    } catch (err) {
      if (!this.brokenSchemas.has(`${kind}/${ref.plugin}`)) {
        this.brokenSchemas.add(`${kind}/${ref.plugin}`);
        this.problem([...path, 'plugin'], ref.loc, `${kind} plugin "${ref.plugin}" has a broken options schema (${(err as Error).message}); this is a bug in the plugin, tell its author`);
      }
      return;
    }
    const options = structuredClone(ref.options);
    if (validate(options)) {
      ref.options = options;
      for (const p of (await this.plugins.optionProblems?.(kind, ref.plugin, options, hosts)) ?? []) {
        this.problem(p.option === undefined ? [...path, 'plugin'] : [...path, p.option], ref.loc, `${who}: ${p.message}`, p.option !== undefined);
      }
      return;
    }
    for (const d of describeAjvErrors(validate.errors ?? [], 'option')) {
      this.problem([...path, ...d.path], ref.loc, `${who}: ${d.message}`, d.key);
    }
  }
}
