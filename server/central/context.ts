/**
 * What every Central route needs, built once from the `server` block with its defaults in one place: the JWT issuer,
 * the bootstrap token store, the config registry, the ingest store and its admission gate, the rate limiters.
 * Everything durable is in files under `data_dir` and `sink_dir`, so replicas sharing them act as one server; only
 * the rate limits and the backpressure counters are per process.
 *
 * @module
 */
import path from "node:path";
import type { ServerConfig } from "../../platform/config/types.ts";
import { expandHome } from "../../platform/paths.ts";
import { serverDataDir, serverSinkDir } from "../../platform/fleet_paths.ts";
import { IngestStore } from "../../storage/ingest/ingest_store.ts";
import { BootstrapTokens, DEFAULT_BOOTSTRAP_TTL_SECONDS } from "./bootstrap_tokens.ts";
import { ConfigRegistry } from "./config_registry.ts";
import { IngestGate, type IngestLimits } from "./ingest_gate.ts";
import { JwtIssuer, nowSeconds } from "./jwt.ts";
import { RateLimiter } from "./rate_limiter.ts";

/** The default lifetime of a gateway JWT: 30 days. */
export const DEFAULT_JWT_TTL_SECONDS = 30 * 24 * 3600;

/** The shared state of one Central server process. */
export interface CentralContext {
  issuer: JwtIssuer;
  jwtTtlSeconds: number;
  bootstrapTtlSeconds: number;
  /** Undefined when `bootstrap_store_path` is not set: bootstrap answers 503. */
  tokens?: BootstrapTokens;
  registry: ConfigRegistry;
  store: IngestStore;
  gate: IngestGate;
  /** The URL gateways are told to use; undefined: taken from the request. */
  publicUrl?: string;
  /** Identity bootstrap (and, with issue 14, enrollment) requests per client IP. */
  bootstrapLimiter: RateLimiter;
  /** Refreshes per gateway. */
  refreshLimiter: RateLimiter;
  /** Unix seconds. */
  now(): number;
  /** One line to stderr. */
  log(line: string): void;
}

/** What tests and benchmarks may set instead of the defaults. */
export interface CentralOverrides {
  now?: () => number;
  /** Override the rate limits (`limit` per `windowMs`). */
  bootstrapLimit?: { limit: number; windowMs: number };
  refreshLimit?: { limit: number; windowMs: number };
  ingest?: Partial<IngestLimits>;
}

/** Builds the context of `server` (secrets already resolved). */
export function centralContext(
  server: ServerConfig,
  log: (line: string) => void,
  overrides: CentralOverrides = {},
): CentralContext {
  const issuer = server.identity_issuer;
  if (!issuer.secret) throw new Error("Cannot start the control plane: identity_issuer.secret is not resolved");
  const dataDir = serverDataDir(server);
  const storePath = issuer.bootstrap_store_path;
  const ingest = server.ingest ?? {};
  const now = overrides.now ?? nowSeconds;
  // The limiters follow the same clock (a test's); the real one has milliseconds.
  const nowMs = overrides.now ? () => overrides.now!() * 1000 : Date.now;
  return {
    issuer: new JwtIssuer(issuer.secret),
    jwtTtlSeconds: issuer.jwt_ttl_seconds ?? DEFAULT_JWT_TTL_SECONDS,
    bootstrapTtlSeconds: issuer.bootstrap_ttl_seconds ?? DEFAULT_BOOTSTRAP_TTL_SECONDS,
    tokens: storePath ? new BootstrapTokens(path.resolve(expandHome(storePath)), { now }) : undefined,
    registry: new ConfigRegistry(dataDir),
    store: new IngestStore(serverSinkDir(server)),
    gate: new IngestGate({
      maxPendingRows: ingest.max_pending_rows,
      highWaterPct: ingest.high_water_pct,
      retryAfterSeconds: ingest.retry_after_seconds,
      maxBytesPerSecond: ingest.max_bytes_per_second,
      ...overrides.ingest,
    }, log),
    publicUrl: server.public_url?.replace(/\/+$/, ""),
    bootstrapLimiter: new RateLimiter({ ...overrides.bootstrapLimit ?? { limit: 5, windowMs: 60_000 }, now: nowMs }),
    refreshLimiter: new RateLimiter({ ...overrides.refreshLimit ?? { limit: 1, windowMs: 60_000 }, now: nowMs }),
    now,
    log,
  };
}
