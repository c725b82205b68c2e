/**
 * The header's words for the cache's state, for the screen in view: fresh (and when it last took in new records), or
 * which of the screen's datasets are behind their recordings and how. Datasets the screen does not read are left to
 * the tooltip: a trace does not go stale because a log arrived.
 *
 * @module
 */
import type { DatasetFreshness, UiStatus } from "../server/ui/backend.ts";
import { time } from "./format.ts";

/** What the header shows. */
export interface FreshnessLine {
  text: string;
  /** Some dataset of the screen is behind its recordings. */
  behind: boolean;
  /** Every dataset's state, one a line (the tooltip). */
  detail: string;
}

const files = (n: number) => `${n} day file${n === 1 ? "" : "s"}`;

/** Why a dataset is behind: its stale and never-read partitions (one per gateway and day). */
function reasons(d: DatasetFreshness): string {
  const out: string[] = [];
  if (d.stale) out.push(`${files(d.stale)} with new records since ${time(d.stale_since)} UTC`);
  if (d.missing) out.push(`${files(d.missing)} not read yet`);
  return out.join(", ");
}

/**
 * The line for `screen` (a screen the status does not name speaks of every dataset).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const logs = { name: "logs", partitions: 2, fresh: 1, stale: 1, missing: 0,
 *   refreshed_at: "2025-03-01T10:00:05.000Z", stale_since: "2025-03-01T09:00:00.000Z" };
 * const traces = { ...logs, name: "traces", fresh: 2, stale: 0, stale_since: null };
 * const status = { datasets: [logs, traces], screens: { traces: ["traces"], logs: ["logs"] }, refresh: "auto" as const,
 *   root: "/data", config: "c" };
 * assert.equal(freshnessLine(status, "traces").text, "cache: fresh · refreshed 2025-03-01 10:00:05 UTC");
 * assert.equal(freshnessLine(status, "logs").text,
 *   "cache: logs behind (1 day file with new records since 2025-03-01 09:00:00 UTC)");
 * ```
 */
export function freshnessLine(status: UiStatus, screen: string): FreshnessLine {
  const names = status.screens[screen];
  const own = names ? status.datasets.filter((d) => names.includes(d.name)) : status.datasets;
  const behind = own.filter((d) => d.stale + d.missing > 0);
  const detail = [
    status.root,
    ...status.datasets.map((d) =>
      `${d.name}: ${d.partitions ? reasons(d) || "fresh" : "nothing recorded"}` +
      (d.refreshed_at ? ` (refreshed ${time(d.refreshed_at)} UTC)` : "")
    ),
    status.refresh === "never"
      ? "Reads use the cache as it is (--refresh never): Refresh reads the new records."
      : "A read refreshes what it needs first (at most every 10 s); Refresh reads every dataset now.",
  ].join("\n");
  if (behind.length) {
    const text = `cache: ${behind.map((d) => `${d.name} behind (${reasons(d)})`).join("; ")}`;
    return { text, behind: true, detail };
  }
  if (own.every((d) => d.partitions === 0)) return { text: "cache: nothing recorded yet", behind: false, detail };
  const last = own.map((d) => d.refreshed_at).filter((t): t is string => t !== null).sort().at(-1);
  return { text: `cache: fresh · refreshed ${time(last)} UTC`, behind: false, detail };
}
