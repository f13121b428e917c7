#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so no build step is needed.
import { setFlagsFromString } from 'node:v8';
// The daemon caps V8's young generation (core/cli/young-generation.ts); loading the
// code would already double it three times, so it is held at its start size from here.
if (process.argv[2] === 'run') setFlagsFromString('--semi-space-growth-factor=1');
const { register } = await import('tsx/esm/api'); // after the hold: a static import would run first
register();
const { runCli } = await import('../core/cli/main.ts');
runCli(process.argv.slice(2));
