/**
 * Refreshes many partitions and reports each step, for `ctvs query refresh` and for the refresh a query does first.
 *
 * @module
 */
import { FileLockTimeoutError } from "../platform/file_lock.ts";
import type { Db } from "./duckdb.ts";
import type { MalformedLine } from "./malformed_lines.ts";
import { partitionLabel } from "./partitions.ts";
import { type PartitionStatus, statusOf } from "./partition_status.ts";
import { refreshPartition } from "./refresh_partition.ts";

/** One event of a refresh run. */
export type RefreshEvent =
  | { kind: "fresh"; label: string }
  | { kind: "wrote"; label: string; path: string | undefined; rows: number; totalRows: number }
  | { kind: "malformed"; sourcePath: string; line: MalformedLine }
  | { kind: "failed"; label: string; error: string }
  /** Another process holds the partition's lock (it is refreshing it) and `noWait` was set: left as it is. */
  | { kind: "busy"; label: string }
  /** Source bytes and complete lines read so far from the partition being refreshed. */
  | { kind: "bytes"; label: string; bytes: number; lines: number };

/** Totals of a refresh run. */
export interface RefreshSummary {
  written: number;
  fresh: number;
  rows: number;
  failures: number;
  /** The statuses after the run (cursors re-read); a busy partition's as it was found. */
  statuses: PartitionStatus[];
  /** The partitions left because another process was refreshing them (`noWait`). */
  busy: PartitionStatus[];
}

/** Options of {@linkcode refreshAll}. */
export interface RefreshAllOptions {
  /** Re-read every partition in full, as a new epoch. */
  force?: boolean;
  onEvent?: (event: RefreshEvent) => void;
  /**
   * Do not wait for a partition another process is refreshing (its lock is held): leave it, and list it in `busy`.
   * Only for datasets read line by line, which a query can read in place instead; a derived one is waited for.
   */
  noWait?: boolean;
}

/**
 * Refreshes `statuses` (only the stale and missing ones unless `force`), one at a time, calling `onEvent` per step.
 */
export async function refreshAll(
  db: Db,
  statuses: PartitionStatus[],
  options: RefreshAllOptions = {},
): Promise<RefreshSummary> {
  const summary: RefreshSummary = { written: 0, fresh: 0, rows: 0, failures: 0, statuses: [], busy: [] };
  const emit = options.onEvent ?? (() => {});
  for (const status of statuses) {
    const label = partitionLabel(status.partition);
    if (!options.force && status.freshness.state === "fresh") {
      summary.fresh++;
      emit({ kind: "fresh", label });
      summary.statuses.push(status);
      continue;
    }
    try {
      const noWait = options.noWait === true && !status.partition.dataset.derive;
      const outcome = await refreshPartition(db, status.partition, {
        force: options.force,
        onBytes: (bytes, lines) => emit({ kind: "bytes", label, bytes, lines }),
        ...(noWait ? { lockTimeoutMs: 0 } : {}),
      });
      for (const line of outcome.malformed) emit({ kind: "malformed", sourcePath: status.partition.sourcePath, line });
      if (outcome.status === "wrote") {
        summary.written++;
        summary.rows += outcome.rows;
        emit({ kind: "wrote", label, path: outcome.part, rows: outcome.rows, totalRows: outcome.cursor!.row_count });
      } else {
        summary.fresh++;
        emit({ kind: "fresh", label });
      }
    } catch (err) {
      if (err instanceof FileLockTimeoutError && options.noWait) {
        summary.busy.push(status);
        emit({ kind: "busy", label });
        continue;
      }
      summary.failures++;
      emit({ kind: "failed", label, error: (err as Error).message });
    }
    summary.statuses.push(await statusOf(status.partition));
  }
  return summary;
}
