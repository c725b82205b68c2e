/**
 * Where the fleet roles keep their files, with the defaults of reference §15 in one place: the Central server's data
 * and ingest directories, and a gateway's identity, state and outbox.
 *
 * @module
 */
import path from "node:path";
import type { CentralServerConfig, ServerConfig } from "./config/types.ts";
import { expandHome, homeDir } from "./paths.ts";

/**
 * The Central server's data directory (registered configs, ingest index): `server.data_dir`, default
 * `~/.hyp/collectivus/server-data`, made absolute.
 */
export function serverDataDir(server: Pick<ServerConfig, "data_dir">): string {
  return path.resolve(expandHome(server.data_dir ?? path.join(homeDir(), ".hyp", "collectivus", "server-data")));
}

/**
 * Where ingested rows go: `server.sink_dir`, default `<data_dir>/ingested` (so a data directory shared by replicas
 * holds everything), made absolute.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(serverSinkDir({ data_dir: "/srv/ctvs" }), "/srv/ctvs/ingested");
 * assert.equal(serverSinkDir({ data_dir: "/srv/ctvs", sink_dir: "/data" }), "/data");
 * ```
 */
export function serverSinkDir(server: Pick<ServerConfig, "data_dir" | "sink_dir">): string {
  if (server.sink_dir) return path.resolve(expandHome(server.sink_dir));
  return path.join(serverDataDir(server), "ingested");
}

/** A gateway's identity file: `central_server.identity.persisted_path`, default `~/.hyp/collectivus/identity.json`. */
export function identityPath(central: Pick<CentralServerConfig, "identity">): string {
  const configured = central.identity?.persisted_path;
  return path.resolve(expandHome(configured ?? path.join(homeDir(), ".hyp", "collectivus", "identity.json")));
}

/** A gateway's state directory: the identity file's directory (`config-etag.json` and the outbox go there). */
export function gatewayStateDir(central: Pick<CentralServerConfig, "identity">): string {
  return path.dirname(identityPath(central));
}

/**
 * A gateway's outbox: `central_server.outbox_dir`, default `<state dir>/outbox`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const central = { url: "http://c", identity: { persisted_path: "/var/lib/gw/identity.json" } };
 * assert.equal(outboxDir(central), "/var/lib/gw/outbox");
 * assert.equal(outboxDir({ ...central, outbox_dir: "/spool" }), "/spool");
 * ```
 */
export function outboxDir(central: Pick<CentralServerConfig, "identity" | "outbox_dir">): string {
  if (central.outbox_dir) return path.resolve(expandHome(central.outbox_dir));
  return path.join(gatewayStateDir(central), "outbox");
}
