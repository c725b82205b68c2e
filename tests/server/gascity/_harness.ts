/**
 * Shared set-up of the Gas City capture tests: a supervisor double, a temporary recordings root with a real sink,
 * and readers of the rows written. The row maker here keeps one row per line with its identity and key, so these
 * tests check the capture (streams, dedupe, cursors); the rows' columns are checked end to end with the real
 * normalizer in the CLI tests.
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";
import { CityCapture, type CityCaptureOptions } from "../../../server/gascity/city_capture.ts";
import type { SessionRowsFactory } from "../../../server/gascity/types.ts";
import type { GascityConfig } from "../../../platform/config/types.ts";
import { JsonlSink } from "../../../storage/jsonl_sink.ts";
import { SupervisorDouble, type SupervisorDoubleOptions } from "../../fixtures/gascity_supervisor.ts";
import { tempDir } from "../../helpers/child.ts";

/** One row per line: who, which line, and how many lines this session's row maker has seen (its state). */
export const lineRows: SessionRowsFactory = (session, state) => {
  let seen = typeof state === "number" ? state : 0;
  return {
    line: (line, key) => [{
      city: session.city,
      session: session.sessionId,
      template: session.template,
      rig: session.rig,
      alias: session.alias,
      key,
      text: line.text ?? null,
      n: ++seen,
    }],
    get state() {
      return seen;
    },
  };
};

/** A Claude Code-like line (the capture only reads `uuid`). */
export function line(uuid: string, text = uuid): Record<string, unknown> {
  return { uuid, type: "assistant", text };
}

export interface Harness {
  double: SupervisorDouble;
  root: string;
  logs: string[];
  /** Starts a capture of `alpha` (config overrides merged in). */
  capture(city?: Partial<GascityConfig>, options?: Partial<CityCaptureOptions>): CityCapture;
  messages(): Promise<Record<string, unknown>[]>;
  events(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** A double, a root and a sink; `close()` stops every capture started and removes the root. */
export async function harness(options: SupervisorDoubleOptions = {}): Promise<Harness> {
  const temp = await tempDir("ctvs-gascity-");
  const double = await SupervisorDouble.start({ keepaliveMs: 100, heartbeatMs: 200, ...options });
  const sink = new JsonlSink({ dir: temp.dir, gatewayId: "gw", fsync: "always" });
  const logs: string[] = [];
  const captures: CityCapture[] = [];
  const read = async (signal: string) => {
    const dir = path.join(temp.dir, "gw", signal);
    const files = (await fs.readdir(dir).catch(() => [])).sort();
    const rows: Record<string, unknown>[] = [];
    for (const file of files) {
      const text = await fs.readFile(path.join(dir, file), "utf8");
      for (const l of text.split("\n")) if (l) rows.push(JSON.parse(l));
    }
    return rows;
  };
  return {
    double,
    root: temp.dir,
    logs,
    capture(city = {}, extra = {}) {
      const capture = new CityCapture({
        city: { name: "alpha", api_url: double.url, ...city },
        root: temp.dir,
        rows: lineRows,
        writeMessages: (rows) => sink.append("gascity_messages", rows),
        writeEvents: (rows) => sink.append("gascity_events", rows),
        log: (l) => logs.push(l),
        idleMs: 2000,
        backoff: { initialMs: 20, maxMs: 200 },
        ...extra,
      });
      captures.push(capture);
      capture.start();
      return capture;
    },
    messages: () => read("gascity_messages"),
    events: () => read("gascity_events"),
    async close() {
      await Promise.all(captures.map((c) => c.stop()));
      await sink.close();
      await double.close();
      await temp.remove();
    },
  };
}
