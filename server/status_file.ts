/**
 * The status file a running collector keeps beside its PID file (`~/.collectivus/runtime/collectivus.status.json`):
 * its PID, when it started, and its recording failures (`SinkHealth`). `ctvs status` reads it, so a daemon's failures
 * show without a port or an endpoint to secure: the file is private (0600), replaced atomically, and rewritten only
 * when something changed.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { atomicWrite } from "../platform/atomic_write.ts";
import { unlessMissing } from "../platform/fs_error.ts";
import { unrefTimer } from "../platform/runtime.ts";
import type { SinkHealth, SinkHealthSnapshot } from "../storage/sink_health.ts";

/** What the status file holds. */
export interface CollectorStatus {
  pid: number;
  started_at: string;
  /** When the file was last written. */
  updated_at: string;
  /** Set by a collector that stopped cleanly. */
  stopped_at?: string;
  /** Where the config came from (a path, a URL, an environment variable). */
  config: string;
  recording: SinkHealthSnapshot;
}

/**
 * The status file beside `pidFile`: `collectivus.pid` gives `collectivus.status.json`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(statusFileFor("/h/.collectivus/runtime/collectivus.pid"), "/h/.collectivus/runtime/collectivus.status.json");
 * ```
 */
export function statusFileFor(pidFile: string): string {
  const base = path.basename(pidFile).replace(/\.pid$/, "");
  return path.join(path.dirname(pidFile), `${base}.status.json`);
}

/**
 * Reads a status file: undefined when there is none; a file that cannot be read or parsed rejects with
 * `Cannot read <file>: <reason>`.
 */
export async function readStatusFile(file: string): Promise<CollectorStatus | undefined> {
  const text = await unlessMissing(readFile(file, "utf8"), "read", file);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text);
    if (Number.isInteger(value?.pid) && value?.recording) return value as CollectorStatus;
  } catch {
    // Reported below, as any other content that is not a status.
  }
  throw new Error(`Cannot read ${file}: it is not a collectivus status file`);
}

/** A running publisher; see {@linkcode publishStatus}. */
export interface StatusPublisher {
  /** Writes the last status (with `stopped_at`) and stops. */
  stop(): Promise<void>;
}

/**
 * Writes the status of a collector to `file` now, then every `intervalMs` when its counters changed. A failure to
 * write is reported once through `warn` (the collector keeps running).
 */
export function publishStatus(
  file: string,
  base: { pid: number; config: string; health: SinkHealth },
  warn: (line: string) => void,
  intervalMs = 2000,
): StatusPublisher {
  const startedAt = new Date().toISOString();
  let written = "";
  let warned = false;
  let writing = Promise.resolve();
  const write = (stoppedAt?: string) => {
    const recording = base.health.snapshot();
    const key = JSON.stringify([recording, stoppedAt]);
    if (key === written) return writing;
    written = key;
    const status: CollectorStatus = {
      pid: base.pid,
      started_at: startedAt,
      updated_at: new Date().toISOString(),
      ...(stoppedAt ? { stopped_at: stoppedAt } : {}),
      config: base.config,
      recording,
    };
    writing = writing.then(() => atomicWrite(file, `${JSON.stringify(status, null, 2)}\n`)).then(
      () => void (warned = false),
      (error) => {
        written = "";
        if (!warned) warn(`warning: cannot write the status file ${file}: ${(error as Error).message}`);
        warned = true;
      },
    );
    return writing;
  };
  void write();
  const timer = setInterval(() => void write(), intervalMs);
  unrefTimer(timer);
  return {
    async stop() {
      clearInterval(timer);
      await write(new Date().toISOString());
    },
  };
}
