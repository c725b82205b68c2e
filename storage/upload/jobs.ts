/**
 * Finding upload jobs: every `<root>/<gateway_id>/<signal>/<YYYY-MM-DD>.jsonl` of an allowed signal dated before
 * today (UTC; today's file is still being written) and no earlier than today - catchupDays.
 *
 * @module
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { UploadSignal } from "./upload_settings.ts";

/** One day of one signal of one gateway. */
export interface UploadJob {
  gatewayId: string;
  signal: UploadSignal;
  date: string;
}

const SIGNAL_ORDER: readonly UploadSignal[] = ["logs", "traces", "metrics", "proxy"];
const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;
const DAY_MS = 86_400_000;

/**
 * Lists the jobs under `root`, sorted by date, gateway, then signal (logs, traces, metrics, proxy).
 *
 * @param root The recording root.
 * @param options Today (UTC), the catch-up window and the allowed signals.
 * @returns The jobs; an absent root has none.
 */
export async function discoverJobs(
  root: string,
  options: { now: Date; catchupDays: number; signals: readonly UploadSignal[] },
): Promise<UploadJob[]> {
  const today = options.now.toISOString().slice(0, 10);
  const earliest = new Date(Date.parse(today) - options.catchupDays * DAY_MS).toISOString().slice(0, 10);
  const jobs: UploadJob[] = [];
  for (const gatewayId of await dirs(root)) {
    // Dot-directories are ours (the query cache), never a gateway.
    if (gatewayId.startsWith(".")) continue;
    for (const signal of options.signals) {
      for (const name of await files(path.join(root, gatewayId, signal))) {
        const date = name.match(DAY_FILE)?.[1];
        if (date && date < today && date >= earliest) jobs.push({ gatewayId, signal, date });
      }
    }
  }
  const rank = (s: UploadSignal) => SIGNAL_ORDER.indexOf(s);
  return jobs.sort((a, b) =>
    a.date.localeCompare(b.date) || a.gatewayId.localeCompare(b.gatewayId) || rank(a.signal) - rank(b.signal)
  );
}

async function dirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

async function files(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch {
    return [];
  }
}
