/**
 * Where the query cache lives: `query.cache.dir`, else `<root>/.collectivus-query/cache`, one directory per partition.
 *
 * @module
 */
import path from "node:path";
import type { Config } from "../platform/config/types.ts";
import { expandHome } from "../platform/paths.ts";

/** The default cache directory for a recording root. */
export function defaultCacheDir(root: string): string {
  return path.join(root, ".collectivus-query", "cache");
}

/**
 * The cache directory a config names for the recording root `root`: `query.cache.dir` (`~` expanded, made absolute),
 * else {@linkcode defaultCacheDir}. `ctvs query`, `ctvs export` and the archive's `proxy_messages` all use it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(configuredCacheDir({ query: { cache: { dir: "/c" } } }, "/r"), "/c");
 * assert.equal(configuredCacheDir({}, "/r"), "/r/.collectivus-query/cache");
 * ```
 */
export function configuredCacheDir(config: Pick<Config, "query">, root: string): string {
  const dir = config.query?.cache?.dir;
  return dir ? path.resolve(expandHome(dir)) : defaultCacheDir(root);
}

/** `<cache>/datasets/<dataset>/gateway_id=<gw>/date=<date>`: one built-in partition. */
export function partitionDir(cacheDir: string, dataset: string, gatewayId: string, date: string): string {
  return path.join(cacheDir, "datasets", dataset, `gateway_id=${gatewayId}`, `date=${date}`);
}

/**
 * `<cache>/in-place`: copies of new lines a query reads in place (`query/in_place.ts`), each removed when its query
 * ends (or, if it was killed, by the next query that copies).
 */
export function inPlaceDir(cacheDir: string): string {
  return path.join(cacheDir, "in-place");
}

/** `<cache>/background-refresh`: the background refresh's lock, its queue of day files and its log. */
export function backgroundDir(cacheDir: string): string {
  return path.join(cacheDir, "background-refresh");
}
