/**
 * What every Central route needs, built once from the `server` block with its defaults in one place: the JWT issuer,
 * the bootstrap token store, the config registry, the enrollments, the ingest store and its admission gate, the
 * admin token and the rendezvous service invites are registered at, the rate limiters.
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
import { JwtIssuer, nowSeconds } from "../jwt.ts";
import { RateLimiter } from "../rate_limiter.ts";
import { BootstrapTokens, DEFAULT_BOOTSTRAP_TTL_SECONDS } from "./bootstrap_tokens.ts";
import { ConfigRegistry } from "./config_registry.ts";
import { Enrollments, enrollmentStorePath } from "./enrollments.ts";
import { IngestGate, type IngestLimits } from "./ingest_gate.ts";

/** The default lifetime of a gateway JWT: 30 days. */
export const DEFAULT_JWT_TTL_SECONDS = 30 * 24 * 3600;

/** The gateway id prefix of invites that name none (`server.enrollment.gateway_prefix` changes it). */
export const DEFAULT_GATEWAY_PREFIX = "gw";

/** The shared state of one Central server process. */
export interface CentralContext {
  issuer: JwtIssuer;
  jwtTtlSeconds: number;
  bootstrapTtlSeconds: number;
  /** Undefined when `bootstrap_store_path` is not set: bootstrap answers 503. */
  tokens?: BootstrapTokens;
  registry: ConfigRegistry;
  /** The invites behind join codes: `<data_dir>/enrollments.json`. */
  enrollments: Enrollments;
  /** `server.admin.token`; undefined: the admin API answers 404. */
  adminToken?: string;
  /** Where invites are registered (`server.rendezvous`); undefined: they are not. */
  rendezvous?: { url: string; registrationToken: string };
  /** The gateway id prefix of invites that name none. */
  gatewayPrefix: string;
  store: IngestStore;
  gate: IngestGate;
  /** The URL gateways are told to use; undefined: taken from the request. */
  publicUrl?: string;
  /** Identity bootstrap requests per client IP. */
  bootstrapLimiter: RateLimiter;
  /** Refreshes per gateway. */
  refreshLimiter: RateLimiter;
  /** Join code redemptions per client IP. */
  enrollmentLimiter: RateLimiter;
  /** Admin requests per client IP, counted before the token is checked. */
  adminLimiter: RateLimiter;
  /** What reaches the rendezvous service. */
  fetch: typeof fetch;
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
  enrollmentLimit?: { limit: number; windowMs: number };
  adminLimit?: { limit: number; windowMs: number };
  ingest?: Partial<IngestLimits>;
  /** What reaches the rendezvous service (default the global fetch). */
  fetch?: typeof fetch;
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
    enrollments: new Enrollments(enrollmentStorePath(dataDir), issuer.secret, { now }),
    adminToken: server.admin?.token,
    rendezvous: server.rendezvous?.url && server.rendezvous.registration_token
      ? { url: server.rendezvous.url.replace(/\/+$/, ""), registrationToken: server.rendezvous.registration_token }
      : undefined,
    gatewayPrefix: server.enrollment?.gateway_prefix ?? DEFAULT_GATEWAY_PREFIX,
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
    enrollmentLimiter: new RateLimiter({ ...overrides.enrollmentLimit ?? { limit: 5, windowMs: 60_000 }, now: nowMs }),
    adminLimiter: new RateLimiter({ ...overrides.adminLimit ?? { limit: 30, windowMs: 60_000 }, now: nowMs }),
    fetch: overrides.fetch ?? ((input, init) => fetch(input, init)),
    now,
    log,
  };
}
