/**
 * The V8 flags every long-running ctvs starts with, in one place: the `deno task` commands, the compiled binaries,
 * the daemon's command line and the test and bench children all use these; and the other flags of `deno run`.
 *
 * `--max-semi-space-size=8` caps V8's young generation at 8 MiB per semi-space (the default grows to 16 or more under
 * a high allocation rate). Streaming through the proxy allocates fast and briefly; measured on a slow client reading
 * 1 GiB of SSE, the ctvs process peaked at 106 MiB instead of 155-165 MiB, with the same throughput and the same
 * CPU per small exchange. The flag has to be given at start: V8 sizes its heap before any script runs.
 *
 * @module
 */

/** The flags, as V8 (and Node) spell them. */
export const V8_FLAGS: readonly string[] = ["--max-semi-space-size=8"];

/** The flags as one `deno` argument (`deno run` and `deno compile`). */
export const DENO_V8_FLAGS: string = `--v8-flags=${V8_FLAGS.join(",")}`;

/**
 * What `deno run` of a ctvs gets: the V8 flags, and `--unstable-lazy-dynamic-imports`, so that Deno reads the modules
 * behind a dynamic import when it is run, not all of them before anything runs: a `ctvs query` process loads the
 * query code, not the collector's too (about 35 ms of CPU less before the first line runs). Only for `deno run`:
 * `deno compile` must still put every module in the binary.
 */
export const DENO_RUN_FLAGS: readonly string[] = [DENO_V8_FLAGS, "--unstable-lazy-dynamic-imports"];
