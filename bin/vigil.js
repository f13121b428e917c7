#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';
register();
const { runCli } = await import('../core/cli/main.ts');
runCli(process.argv.slice(2));
