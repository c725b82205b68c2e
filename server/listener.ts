/**
 * The lifecycle every listener follows (OTLP, proxy, and later the uploader, control plane and config poll):
 * a factory builds it from the config, `start` brings it up, `stop` drains it, `abort` gives up on what is left.
 *
 * @module
 */
import type { Config } from "../platform/config/types.ts";
import type { RowSink } from "../storage/row_sink.ts";

/** What a listener factory gets to build its listener from. */
export interface ListenerContext {
  /** The validated config, secrets resolved. */
  config: Config;
  /** The recording sink shared by every listener of the process (a gateway's outbox); absent without one. */
  sink: RowSink | undefined;
  /** The gateway id that names the recordings directory. */
  gatewayId: string;
  /** On a gateway, the outbox directory rows are spooled to for Central ingest. */
  spool?: string;
  /** Progress and warnings, one line each, to stderr. */
  log(line: string): void;
}

/** A running part of the collector. */
export interface Listener {
  /** Starts and resolves with the line to print (`OTLP listener bound on ...`); rejects when it cannot start. */
  start(): Promise<string>;
  /** Stops taking new work and resolves when in-flight work is done. Idempotent; safe before `start`. */
  stop(): Promise<void>;
  /** Drops in-flight work; called when a drain passes its deadline. */
  abort(): void;
  /**
   * Applies a reloaded config without a restart, when the listener can: resolves with the line to print, or
   * undefined to be stopped and started again as usual.
   */
  update?(config: Config): Promise<string | undefined>;
  /** The `host:port` it is bound to once started (the real port when 0 was asked for); absent for non-HTTP parts. */
  address?(): string | undefined;
}

/** Builds the listener for one part of the config. */
export interface ListenerFactory {
  /** The name used in reload messages, e.g. `otel`. */
  readonly name: string;
  /**
   * The config keys this listener depends on. On SIGHUP a listener restarts only when one of them changed; a
   * listener whose own section is absent is not created.
   */
  readonly keys: readonly (keyof Config)[];
  /** Builds the listener, or returns undefined when the config does not ask for it. */
  create(context: ListenerContext): Listener | undefined;
}
