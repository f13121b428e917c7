#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so no build step is needed.
import { setFlagsFromString } from 'node:v8';
// The daemon caps V8's young generation (core/cli/young-generation.ts); loading the
// code would already double it three times, so it is held at its start size from here.
const run = process.argv[2] === 'run';
if (run) setFlagsFromString('--semi-space-growth-factor=1');
const { register } = await import('tsx/esm/api'); // after the hold: a static import would run first
register();
// tsx's loader runs on a worker thread, and a worker thread starting sets the growth
// factor back to V8's default. The first import through the loader waits for that
// thread, so the hold is set again once it is up, before the bulk of the code loads.
if (run) (await import('../core/cli/young-generation.ts')).holdYoungGeneration();
const { runCli } = await import('../core/cli/main.ts');
runCli(process.argv.slice(2));
