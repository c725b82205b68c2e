/**
 * A Central control plane in memory for the route tests: real stores in a temporary directory, the app called with
 * `app.request()`, a clock the test moves.
 *
 * @module
 */
import path from "node:path";
import type { Hono } from "hono";
import type { ServerConfig } from "../../../platform/config/types.ts";
import { centralApp } from "../../../server/central/app.ts";
import { type CentralContext, centralContext, type CentralOverrides } from "../../../server/central/context.ts";
import { tempDir } from "../../helpers/child.ts";

export const SECRET = "test-secret-test-secret-test-secret!";
export const GATEWAY_CONFIG = {
  version: 1,
  role: "gateway",
  central_server: { url: "http://central.test:8788", identity: {} },
  otel: { listen: "127.0.0.1:4318" },
};

/** A running in-memory Central. */
export interface TestCentral {
  app: Hono;
  context: CentralContext;
  dir: string;
  sinkDir: string;
  logs: string[];
  /** Moves the clock (unix seconds). */
  clock: { now: number };
  /** A JWT for `gatewayId` issued now. */
  jwt(gatewayId: string, claims?: { iat?: number; exp?: number }): Promise<string>;
  /** Registers `config` (default {@linkcode GATEWAY_CONFIG}) for `gatewayId`. */
  register(gatewayId: string, config?: unknown): Promise<string>;
  close(): Promise<void>;
}

/** Starts one; `server` overrides the `server` block, `overrides` the limits. */
export async function testCentral(
  server: Partial<ServerConfig> = {},
  overrides: CentralOverrides = {},
): Promise<TestCentral> {
  const temp = await tempDir("ctvs-central-");
  const clock = { now: 1_750_000_000 };
  const logs: string[] = [];
  const config: ServerConfig = {
    control_plane_listen: "127.0.0.1:0",
    identity_issuer: { secret: SECRET, bootstrap_store_path: path.join(temp.dir, "bootstrap.json") },
    data_dir: temp.dir,
    ...server,
  };
  const context = centralContext(config, (line) => logs.push(line), { now: () => clock.now, ...overrides });
  return {
    app: centralApp(context),
    context,
    dir: temp.dir,
    sinkDir: path.join(temp.dir, "ingested"),
    logs,
    clock,
    jwt: (gatewayId, claims = {}) =>
      context.issuer.sign({ sub: gatewayId, iat: claims.iat ?? clock.now, exp: claims.exp ?? clock.now + 3600 }),
    register: async (gatewayId, registered = GATEWAY_CONFIG) =>
      (await context.registry.set(gatewayId, registered)).etag,
    async close() {
      await context.store.close();
      await temp.remove();
    },
  };
}

/** `Authorization: Bearer <jwt>`. */
export const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });

/** The env Deno.serve hands the app: the peer address. */
export const from = (ip: string) => ({ remoteAddr: { hostname: ip, port: 40000 } });
