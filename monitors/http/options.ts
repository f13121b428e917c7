/**
 * @fileoverview Options of the `http` monitor: the TypeScript type and its JSON Schema.
 */
import type { JsonSchema } from '../../core/types.ts';
import type { JsonAssertion } from './json-path.ts';

export interface HttpOptions {
  /** Full URL with `{host}` where the host goes; else scheme + port + path are used. */
  url?: string;
  /** @default 'http' */
  scheme?: 'http' | 'https';
  port?: number;
  /** @default '/' */
  path?: string;
  /** @default 'GET' */
  method?: string;
  headers?: Record<string, string>;
  /** Host header (and TLS SNI) to send while connecting to the host's address. */
  hostHeader?: string;
  /** Accepted status codes. mon's http.monitor accepts 200 301 302 401. @default [200] */
  status?: number[];
  /** Regex the body must match (`pattern` or `/pattern/flags`). */
  body?: string;
  /** Regex the body must not match. */
  bodyNot?: string;
  /** @default true */
  tlsVerify?: boolean;
  /** Fail when the server certificate expires in fewer days than this. */
  certExpiryDays?: number;
  /** @default 65536 */
  maxBodyBytes?: number;
  /** false: never; true: up to 5; N: up to N. @default false */
  followRedirects?: boolean | number;
  /** @default false */
  keepAlive?: boolean;
  latencyWarnMs?: number;
  jsonPath?: JsonAssertion[];
  /** keepalived digest mode: MD5 hex of the whole body. */
  md5?: string;
  /** Client certificate and key (PEM files, relative to the config file). */
  cert?: string;
  key?: string;
  /** PEM file of a CA to trust besides the system ones. */
  ca?: string;
}

export const httpOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    url: { type: 'string', pattern: '^https?://' },
    scheme: { enum: ['http', 'https'] },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    path: { type: 'string' },
    method: { type: 'string', pattern: '^[A-Za-z]+$', default: 'GET' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    hostHeader: { type: 'string', minLength: 1 },
    status: { type: 'array', items: { type: 'integer', minimum: 100, maximum: 599 }, minItems: 1, default: [200] },
    body: { type: 'string' },
    bodyNot: { type: 'string' },
    tlsVerify: { type: 'boolean', default: true },
    certExpiryDays: { type: 'number', minimum: 0 },
    maxBodyBytes: { type: 'integer', minimum: 1, maximum: 67108864, default: 65536 },
    followRedirects: { oneOf: [{ type: 'boolean' }, { type: 'integer', minimum: 0, maximum: 50 }], default: false },
    keepAlive: { type: 'boolean', default: false },
    latencyWarnMs: { type: 'number', exclusiveMinimum: 0 },
    jsonPath: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path'],
        properties: {
          path: { type: 'string', minLength: 1 },
          equals: {},
          matches: { type: 'string' },
          exists: { type: 'boolean' },
        },
      },
    },
    md5: { type: 'string', pattern: '^[0-9a-fA-F]{32}$' },
    cert: { type: 'string', minLength: 1 },
    key: { type: 'string', minLength: 1 },
    ca: { type: 'string', minLength: 1 },
  },
  dependencies: { cert: ['key'], key: ['cert'] },
};
