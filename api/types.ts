/**
 * The types of the programmatic API (`import { Collector } from "collectivus"`). Self-contained on purpose: the npm
 * package's type declarations are made from this file and `collector.ts` alone.
 *
 * The receiver and proxy blocks take the same keys as the config file's `otel` and `proxy` blocks
 * (docs/configuration.md), so what is known about one applies to the other.
 *
 * @module
 */

/** The OTLP/HTTP receiver: `POST /v1/traces`, `/v1/metrics`, `/v1/logs` (JSON and protobuf). */
export interface OtlpOptions {
  /** `host:port` to listen on (default `127.0.0.1:0`: loopback, a free port; read it from `start()`). */
  listen?: string;
  /** The largest request body accepted after decompression, in bytes (default 20 MiB). */
  max_body_bytes?: number;
}

/** One upstream API behind the proxy, chosen by the longest matching path prefix. */
export interface ProxyUpstream {
  /** The name recorded in each exchange's `upstream` field. */
  name: string;
  /** Where matching requests go, e.g. `https://api.anthropic.com`. */
  base_url: string;
  match: { path_prefix: string };
}

/** The recording LLM proxy. */
export interface ProxyOptions {
  /** `host:port` to listen on (default `127.0.0.1:0`). */
  listen?: string;
  /** At least one upstream. */
  upstreams: ProxyUpstream[];
  /** Headers recorded as `REDACTED:<last4>`, on top of the default list (authorization, x-api-key, ...). */
  redact_headers?: string[];
  /** Request bodies above this size are forwarded whole but recorded truncated (default 32 MiB). */
  max_record_body_bytes?: number;
}

/** Where rows are written as files: `<dir>/<gateway_id>/<signal>/<UTC-date>.jsonl`, as `ctvs` writes them. */
export interface SinkOptions {
  dir: string;
  /** `"rotate"` (default) fsyncs when a day file rotates or closes; `"always"` before each write resolves. */
  fsync?: "always" | "rotate";
}

/** The signals rows are recorded under. */
export type RowSignal = "logs" | "traces" | "metrics" | "proxy";

/**
 * A recorded row, as parsed from its JSON line: one span, data point or log record, or one proxy exchange or stream
 * event. Its fields are listed in docs/otlp.md and docs/proxy.md; typed loosely so plain JavaScript can read them.
 */
// deno-lint-ignore no-explicit-any
export type Row = Record<string, any>;

/**
 * Called with each row once it is recorded (after the sink file took it, when there is one), in the order rows are
 * written. An OTLP request is answered only after the hook returned (or its promise resolved) for all its rows; when
 * it throws or rejects, the client gets a 503 and retries, as for a full disk. For proxy rows an error is logged
 * once and the proxied traffic is unaffected.
 */
export type RowHook = (signal: RowSignal, row: Row) => void | Promise<void>;

/** What a {@linkcode Collector} runs. At least one of `otel` and `proxy`, and at least one of `sink` and `onRow`. */
export interface CollectorOptions {
  /** The OTLP/HTTP receiver. */
  otel?: OtlpOptions;
  /** The recording proxy. */
  proxy?: ProxyOptions;
  /** Write rows to JSONL files, as `ctvs` does. */
  sink?: SinkOptions;
  /** Hand each row to your code (with or without a sink). */
  onRow?: RowHook;
  /** The directory name under the sink (default: the OS user name, as `ctvs`). */
  gateway_id?: string;
  /** Working directories whose proxy traffic is not recorded (as `ctvs ignore`). */
  ignored_paths?: string[];
  /** Start lines and warnings, one line each (default: dropped). */
  log?: (line: string) => void;
}

/** The base URLs of the running listeners, e.g. `{ otel: "http://127.0.0.1:43117" }`. */
export interface CollectorUrls {
  /** The OTLP receiver: an exporter's endpoint (`<otel>/v1/traces` ...). */
  otel?: string;
  /** The proxy: a client's base URL (`ANTHROPIC_BASE_URL`, OpenAI's `baseURL` with `/v1`). */
  proxy?: string;
}

/** How {@linkcode Collector.stop} ended. */
export interface StopResult {
  /** True when in-flight work was still running at the deadline and was dropped. */
  timedOut: boolean;
}
