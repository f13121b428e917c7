/**
 * @fileoverview The JSON Schema (draft-07) of vigil's native config (vigil.yaml or
 * .json), published for editors and CI linting. Keys mirror mon's keywords. Plugin
 * options are left open here; each plugin's own schema checks them at load time.
 * `store`, `log` and `metrics` belong to their subsystems and are checked there.
 */
import { storeConfigSchema } from '../store/store-options.ts';

/** mon's time value: number and unit (the unit is mandatory); `ms` is vigil's addition. */
export const DURATION_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*([mM][sS]|[dhmsDHMS])\\s*$';
/** Names of hostgroups, watches and services, as mon's `[a-zA-Z0-9_.-]+`. */
// `__proto__` is refused: as an object key it would replace the prototype instead of naming a group.
export const NAME_PATTERN = '^(?!__proto__$)[a-zA-Z0-9_.-]+$';
/** mon's `VAR=value` lines: all-caps names. */
export const ENV_NAME_PATTERN = '^[A-Z_][A-Z0-9_]*$';
/** A period label, as mon's `period LABEL: spec`. */
export const LABEL_PATTERN = '^(?!__proto__$)[a-zA-Z_]\\w*$';
const DUR = '\\d+(\\.\\d+)?\\s*([mM][sS]|[dhmsDHMS])';
export const ALERTAFTER_PATTERN = `^\\s*(\\d+|\\d+\\s+${DUR}|${DUR})\\s*$`;
export const ALERTEVERY_PATTERN = `^\\s*${DUR}(\\s+(summary|strict|observe_detail|ignore_summary))?\\s*$`;
export const EXIT_RANGE_PATTERN = '^\\s*\\d+\\s*(-\\s*\\d+\\s*)?$';
/** host:port, with IPv6 addresses in brackets. */
export const LISTEN_PATTERN = '^(\\[[0-9a-fA-F:.]+\\]|[^\\s:\\[\\]]*):\\d{1,5}$';

/** Keys that make up a period (also allowed on a service without `periods`, as its one `always` period). */
export const PERIOD_ALERT_KEYS = ['alerts', 'upalerts', 'startupalerts', 'ackalerts', 'alertafter', 'alertevery', 'numalerts'] as const;

const ref = (name: string) => ({ $ref: `#/definitions/${name}` });
const alertList = (what: string) => ({
  type: 'array',
  items: ref('alertRef'),
  description: `Alert plugins run ${what}.`,
});
const depend = (what: string) => ({
  type: ['string', 'array'],
  items: { type: 'string', minLength: 1 },
  minItems: 1,
  description: `${what} "group:service" terms; a list is AND-ed; a string may use && || ! ( ).`,
});

const period = {
  type: 'object',
  additionalProperties: false,
  properties: {
    when: {
      type: 'string',
      default: 'always',
      description: '"always", a name from `periods:`, or a Time::Period expression such as "wd {Mon-Fri} hr {7am-7pm}".',
    },
    label: { type: 'string', pattern: LABEL_PATTERN, description: "mon's period LABEL; makes two periods with the same `when` distinct." },
    alertafter: {
      type: ['integer', 'string'],
      minimum: 1,
      pattern: ALERTAFTER_PATTERN,
      description: 'N consecutive failures (2), N failures within a time ("2 10m"), or failing for a time ("10m").',
    },
    alertevery: {
      type: 'string',
      pattern: ALERTEVERY_PATTERN,
      description: 'Repeat a down alert at most this often: "1h", optionally followed by summary, strict, observe_detail or ignore_summary.',
    },
    numalerts: { type: 'integer', minimum: 0, default: 0, description: 'At most this many down alerts per outage; 0 = unlimited.' },
    alerts: alertList('when the service fails'),
    upalerts: alertList('when the service recovers after a down alert'),
    startupalerts: alertList('once when vigil starts'),
    ackalerts: alertList('when the failure is acknowledged'),
    disablealerts: alertList('when the service is disabled'),
    no_comp_alerts: { type: 'boolean', default: false, description: 'Send upalerts/ackalerts even if no down alert was sent.' },
    upalertafter: { ...ref('duration'), description: 'Send an upalert only if the outage lasted at least this long.' },
    alerts_dont_count: { type: 'boolean', default: false, description: 'Do not count these alerts in alerts_sent.' },
    alertexitrange: { ...ref('exitRange'), description: 'Only for monitor exit codes N or N-M.' },
  },
};

const service = {
  type: 'object',
  additionalProperties: false,
  properties: {
    description: { type: 'string' },
    interval: { ...ref('duration'), description: 'How often the monitor runs. Without interval and cron the service is trap-only.' },
    cron: { type: 'string', description: 'node-cron expression, instead of interval: "*/5 * * * *".' },
    timeout: { ...ref('duration'), default: '10s', description: 'Longest a check may take; the scheduler aborts it after this.' },
    randskew: ref('duration'),
    failure_interval: ref('duration'),
    monitor: { ...ref('pluginRef'), description: 'The monitor plugin and its options: { plugin: http, port: 80 }.' },
    depend: depend('Dependencies:'),
    dep_behavior: { enum: ['a', 'm', 'hm'], default: 'a', description: 'What depend controls: a = alerts, m = monitor runs, hm = hosts.' },
    alertdepend: depend('Alert dependencies:'),
    monitordepend: depend('Monitor dependencies:'),
    hostdepend: depend('Host dependencies:'),
    dep_memory: ref('duration'),
    exclude_hosts: { type: 'array', items: ref('host'), description: "Hosts of the group this service's monitor skips." },
    exclude_period: { type: 'string', description: 'Time::Period expression during which the monitor does not run.' },
    allow_empty_group: { type: 'boolean', default: false },
    env: {
      type: 'object',
      propertyNames: { type: 'string', pattern: ENV_NAME_PATTERN },
      additionalProperties: { type: 'string' },
      description: "mon's VAR=value lines: environment for the monitor and alerts.",
    },
    traptimeout: ref('duration'),
    trapduration: ref('duration'),
    unack_summary: { type: 'boolean' },
    redistribute: { ...ref('alertRef'), description: 'Alert plugin called on every status event of the service.' },
    periods: { type: 'array', items: ref('period') },
    // Shorthand for one `when: always` period (only without `periods`).
    alerts: alertList('when the service fails'),
    upalerts: alertList('when the service recovers after a down alert'),
    startupalerts: alertList('once when vigil starts'),
    ackalerts: alertList('when the failure is acknowledged'),
    alertafter: period.properties.alertafter,
    alertevery: period.properties.alertevery,
    numalerts: { type: 'integer', minimum: 0 },
  },
};

const listen = (dflt?: string) => ({ type: 'string', pattern: LISTEN_PATTERN, ...(dflt ? { default: dflt } : {}) });

export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://vigil.invalid/schema/config.json',
  title: 'vigil configuration',
  type: 'object',
  additionalProperties: false,
  // `x-...` keys are free, to hold YAML anchors (`x-defaults: &svc {...}`) shared with `<<: *svc`.
  patternProperties: { '^x-': {} },
  definitions: {
    duration: { type: 'string', pattern: DURATION_PATTERN, description: 'A time value with its unit: 500ms, 30s, 5m, 1.5h, 1d.' },
    name: { type: 'string', pattern: NAME_PATTERN },
    host: { type: 'string', pattern: '^\\S+$' },
    exitRange: { type: ['integer', 'string'], minimum: 0, pattern: EXIT_RANGE_PATTERN },
    pluginRef: {
      type: 'object',
      required: ['plugin'],
      properties: { plugin: { type: 'string', minLength: 1 } },
      additionalProperties: true,
    },
    alertRef: {
      type: 'object',
      required: ['plugin'],
      properties: {
        plugin: { type: 'string', minLength: 1 },
        exit: { ...ref('exitRange'), description: "Only for monitor exit codes N or N-M (mon's alert exit=)." },
      },
      additionalProperties: true,
    },
    period,
    service,
  },
  properties: {
    state_dir: { type: 'string', default: './var', description: 'Where vigil keeps its state; relative to the config file.' },
    maxprocs: { type: 'integer', minimum: 0, default: 200, description: 'Checks in flight at once; 0 = unlimited.' },
    randstart: { ...ref('duration'), description: 'Start each service at a random time within this.' },
    control: {
      type: 'object',
      additionalProperties: false,
      properties: {
        listen: listen('127.0.0.1:2580'),
        token: { type: 'string', description: 'Bearer token for changes; prefer token_env.' },
        token_env: { type: 'string', pattern: ENV_NAME_PATTERN, default: 'VIGIL_TOKEN' },
      },
    },
    mon_protocol: {
      type: 'object',
      additionalProperties: false,
      properties: {
        listen: listen('127.0.0.1:2583'),
        trap_listen: listen(),
        auth_file: { type: 'string' },
        clientallow: { type: 'array', items: { type: 'string' }, description: 'Regexes for client IPs, anchored as in mon.' },
        cltimeout: ref('duration'),
      },
    },
    plugins: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Third-party plugin modules: paths or package names.' },
    hostgroups: {
      type: 'object',
      propertyNames: ref('name'),
      additionalProperties: { type: 'array', items: ref('host') },
    },
    periods: {
      type: 'object',
      propertyNames: { type: 'string', pattern: LABEL_PATTERN },
      additionalProperties: { type: 'string' },
    },
    watches: {
      type: 'object',
      propertyNames: ref('name'),
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['services'],
        properties: {
          services: { type: 'object', propertyNames: ref('name'), additionalProperties: ref('service') },
        },
      },
    },
    mon: {
      type: 'object',
      additionalProperties: { type: ['string', 'number', 'boolean'] },
      description: 'mon global settings kept for fidelity: mondir, alertdir, histlength ...',
    },
    store: storeConfigSchema,
    log: { type: 'object', description: 'Settings of logging (checked by the logger).' },
    metrics: { type: 'object', description: 'Settings of the metrics endpoint (checked by it).' },
  },
} as const;

/** Top-level keys handed over to other subsystems as Config.extra. */
export const EXTRA_KEYS = ['store', 'log', 'metrics'] as const;
