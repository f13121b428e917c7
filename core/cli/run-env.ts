/**
 * @fileoverview The environment `vigil run` is meant to start with (the systemd unit in
 * docs/api.md, `npm start`, the benchmark). glibc gives each thread that allocates an
 * arena of its own, up to 8 per core; V8's compiler and collector threads then keep
 * 5-8 MiB of freed memory between them (docs/performance.md, eighth pass).
 * MALLOC_ARENA_MAX=2 shares two. glibc reads it before node starts, so it can only be
 * set by whatever starts vigil.
 */
export const RUN_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** `env` with RUN_ENV's defaults where `env` does not set them. */
export function withRunEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const [k, v] of Object.entries(RUN_ENV)) if (out[k] === undefined) out[k] = v;
  return out;
}
