/**
 * Where a config's recordings live on this host: `sink.dir`, else, for a server, `server.sink_dir` (default
 * `<data_dir>/ingested`, so `~/.hyp/collectivus/server-data/ingested`). Queries, exports, the daily upload and Gas
 * City capture all read or write there.
 *
 * @module
 */
import path from "node:path";
import { serverSinkDir } from "../fleet_paths.ts";
import { expandHome } from "../paths.ts";
import { ConfigError } from "./config_error.ts";
import type { Config } from "./types.ts";

/**
 * The absolute recording root of `config`; throws a {@linkcode ConfigError} when it has none (a gateway's).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(recordingRoot({ version: 1, sink: { type: "file", dir: "/data/rec" } }), "/data/rec");
 * assert.throws(() => recordingRoot({ version: 1 }), /config has no local recording root/);
 * ```
 */
export function recordingRoot(config: Config): string {
  if (config.sink?.dir) return path.resolve(expandHome(config.sink.dir));
  if (config.role === "server" && config.server) return serverSinkDir(config.server);
  throw new ConfigError("config has no local recording root; set sink.dir or server.sink_dir");
}
