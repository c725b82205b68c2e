/**
 * The shape of a version 1 config file (`~/.hyp/collectivus.json`), after validation. Optional fields are left
 * absent, not defaulted: `--print-config` round-trips the file as written, and defaults live where they are used
 * (see `defaults.ts`).
 *
 * @module
 */

/** Which part a process plays in a fleet. */
export type Role = "standalone" | "gateway" | "server";

/** The OTLP/HTTP receiver. */
export interface OtelConfig {
  /** `host:port`, e.g. `127.0.0.1:4318`. */
  listen: string;
  /** Largest accepted request body after decompression (default 20 MiB). */
  max_body_bytes?: number;
}

/** One upstream API behind the proxy. */
export interface UpstreamConfig {
  name: string;
  base_url: string;
  match: { path_prefix: string };
}

/** The recording LLM proxy. */
export interface ProxyConfig {
  listen: string;
  upstreams: UpstreamConfig[];
  /** Headers recorded as `REDACTED:<last4>`, on top of the default list, which always applies. */
  redact_headers?: string[];
  /** Query parameters recorded as `REDACTED:<last4>`, on top of the default list, which always applies. */
  redact_query_params?: string[];
  /** Request bodies above this size are forwarded whole but recorded truncated (default 32 MiB). */
  max_record_body_bytes?: number;
}

/** Where recordings go. */
export interface SinkConfig {
  type: "file";
  dir: string;
  /**
   * `"rotate"` (default): fsync when a day file rotates and at close; an append resolves once the bytes are in the
   * file (the OS page cache). `"always"`: an append resolves only once the bytes are on disk.
   */
  fsync?: "always" | "rotate";
}

/** A signal the daily archive takes (each archived as the dataset of its name; `proxy` as `proxy_messages`). */
export type UploadSignal =
  | "logs"
  | "traces"
  | "metrics"
  | "proxy"
  | "gascity_messages"
  | "gascity_events"
  | "transcript_messages"
  | "transcript_requests";

/** Daily Parquet archive to S3-compatible storage. */
export interface UploadConfig {
  bucket: string;
  prefix?: string;
  region?: string;
  /** `HH:MM`, UTC. */
  time?: string;
  signals?: UploadSignal[];
  catchupDays?: number;
  endpoint?: string;
  iceberg?: Record<string, never>;
}

/** Local query settings. */
export interface QueryConfig {
  cache?: { enabled?: boolean; dir?: string };
  /** Claude Code transcripts read for `cwd`/`git_branch` (default `$CLAUDE_CONFIG_DIR/projects` or `~/.claude/projects`); false: none. */
  claude_transcripts_dir?: string | false;
}

/** A secret given inline or by the name of an environment variable holding it. */
export interface SecretRef {
  secret?: string;
  secret_env?: string;
}

/** The Central server ("server" role). */
export interface ServerConfig {
  control_plane_listen: string;
  public_url?: string;
  identity_issuer: SecretRef & {
    jwt_ttl_seconds?: number;
    bootstrap_ttl_seconds?: number;
    bootstrap_store_path?: string;
  };
  data_dir?: string;
  sink_dir?: string;
  ingest?: {
    max_pending_rows?: number;
    high_water_pct?: number;
    retry_after_seconds?: number;
    max_bytes_per_second?: number;
  };
  admin?: { token?: string; token_env?: string };
  enrollment?: { gateway_prefix?: string };
  rendezvous?: {
    url?: string;
    url_env?: string;
    registration_token?: string;
    registration_token_env?: string;
  };
}

/** How a gateway reaches its Central server ("gateway" role). */
export interface CentralServerConfig {
  url: string;
  identity: { bootstrap_token?: string; persisted_path?: string };
  poll_interval_seconds?: number;
  outbox_dir?: string;
}

/** A Gas City supervisor to subscribe to. */
export interface GascityConfig {
  name: string;
  api_url: string;
  include_templates?: string[];
  exclude_templates?: string[];
}

/** A whole, validated config. */
export interface Config {
  version: 1;
  role?: Role;
  gateway_id?: string;
  otel?: OtelConfig;
  proxy?: ProxyConfig;
  sink?: SinkConfig;
  upload?: UploadConfig;
  query?: QueryConfig;
  server?: ServerConfig;
  central_server?: CentralServerConfig;
  gascity?: GascityConfig[];
  /** Working directories whose proxy traffic is not recorded (`ctvs ignore`). */
  ignored_paths?: string[];
}

/** A config together with where it came from, as the runner needs it (SIGHUP re-reads only files). */
export interface LoadedConfig {
  config: Config;
  /** `file`, `url`, `env` or `default` (the embedded config). */
  kind: "file" | "url" | "env" | "default";
  /** The path, URL, `env:<VAR>` or `default`: the label used in error messages. */
  source: string;
  /** Non-fatal findings (unknown top-level keys), already worded for stderr. */
  warnings: string[];
}
