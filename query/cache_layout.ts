/**
 * Where the query cache lives: `<root>/.collectivus-query/cache` by default, one directory per partition.
 *
 * @module
 */
import path from "node:path";

/** The default cache directory for a recording root. */
export function defaultCacheDir(root: string): string {
  return path.join(root, ".collectivus-query", "cache");
}

/** `<cache>/datasets/<dataset>/gateway_id=<gw>/date=<date>`: one built-in partition. */
export function partitionDir(cacheDir: string, dataset: string, gatewayId: string, date: string): string {
  return path.join(cacheDir, "datasets", dataset, `gateway_id=${gatewayId}`, `date=${date}`);
}
