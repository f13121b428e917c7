/**
 * @fileoverview The environment `vigil run` is meant to start with (the systemd unit in
 * docs/api.md, `npm start`, the benchmark). glibc reads both before node starts, so
 * they can only be set by whatever starts vigil.
 * - MALLOC_ARENA_MAX=2: glibc gives each thread that allocates an arena of its own,
 *   up to 8 per core; V8's compiler and collector threads then keep 5-8 MiB of freed
 *   memory between them (docs/performance.md, eighth pass). Two are shared instead.
 * - MALLOC_MMAP_THRESHOLD_=32768: V8's optimising compiler takes its working memory
 *   from malloc in blocks of up to tens of KiB, which glibc otherwise carves from its
 *   heap and cannot give back while a live block sits above them: compiling undici's
 *   parser left 12-36 MiB behind at 1,000 http hosts. From 32 KiB a block is a mapping
 *   of its own, returned when freed (docs/performance.md, tenth pass).
 */
export const RUN_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '32768' };

/** `env` with RUN_ENV's defaults where `env` does not set them. */
export function withRunEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const [k, v] of Object.entries(RUN_ENV)) if (out[k] === undefined) out[k] = v;
  return out;
}
