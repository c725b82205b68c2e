/**
 * Finding upload jobs: every day file `<root>/<gateway_id>/<dir>/<YYYY-MM-DD>.jsonl` of an allowed signal dated before
 * today (UTC; today's file is still being written) and no earlier than today - catchupDays.
 *
 * @module
 */
import { listDayFiles } from "../day_files.ts";
import { ARCHIVED_SIGNALS, type UploadSignal } from "./upload_settings.ts";

/** One day of one signal of one gateway. */
export interface UploadJob {
  gatewayId: string;
  signal: UploadSignal;
  date: string;
}

const SIGNAL_ORDER = Object.keys(ARCHIVED_SIGNALS) as UploadSignal[];
const DAY_MS = 86_400_000;

/**
 * Lists the jobs under `root`, sorted by date, gateway, then signal (in {@linkcode ARCHIVED_SIGNALS}' order: logs,
 * traces, metrics, proxy, gascity_messages, gascity_events, transcript_messages, transcript_requests).
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
  for (const signal of options.signals) {
    for (const { gatewayId, date } of await listDayFiles(root, ARCHIVED_SIGNALS[signal].dir)) {
      if (date < today && date >= earliest) jobs.push({ gatewayId, signal, date });
    }
  }
  const rank = (s: UploadSignal) => SIGNAL_ORDER.indexOf(s);
  return jobs.sort((a, b) =>
    a.date.localeCompare(b.date) || a.gatewayId.localeCompare(b.gatewayId) || rank(a.signal) - rank(b.signal)
  );
}
