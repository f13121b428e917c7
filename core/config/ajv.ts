/**
 * @fileoverview The one ajv instance of the config loader, and a cache so each
 * schema (the config's, each plugin's) is compiled once per process.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { JsonSchema } from '../types.ts';

// ajv-formats is CommonJS; under NodeNext its default import is typed as the module.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

// verbose: errors carry the failing value and its schema, for messages in plain words.
export const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
addFormats(ajv);

const compiled = new WeakMap<object, ValidateFunction>();

/** Compiles a schema once; throws ajv's error when the schema itself is broken. */
export function validatorFor(schema: JsonSchema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}
