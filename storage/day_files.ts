/**
 * Finding the day files a recording holds: `<root>/<gateway_id>/<signal>/<YYYY-MM-DD>.jsonl`, as the sink writes
 * them. The query engine lists its partitions and the uploader its jobs from the same walk.
 *
 * @module
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { unlessMissing } from "../platform/fs_error.ts";

/** One day file of one gateway. */
export interface DayFileRef {
  gatewayId: string;
  /** `YYYY-MM-DD` (UTC). */
  date: string;
  path: string;
}

/**
 * The date a day file's name stands for, or undefined for any other name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(dayFileDate("2025-03-01.jsonl"), "2025-03-01");
 * assert.equal(dayFileDate("2025-03-01.jsonl.tmp"), undefined);
 * ```
 */
export function dayFileDate(name: string): string | undefined {
  return /^(\d{4}-\d{2}-\d{2})\.jsonl$/.exec(name)?.[1];
}

/**
 * The day files of `signal` of every gateway under `root`, in directory order; an absent root has none.
 * Dot-directories are never a gateway (the query cache lives in one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(await listDayFiles("/nonexistent", "logs"), []);
 * ```
 */
export async function listDayFiles(root: string, signal: string): Promise<DayFileRef[]> {
  const found: DayFileRef[] = [];
  for (const gatewayId of await entries(root, "directory")) {
    if (gatewayId.startsWith(".")) continue;
    const dir = path.join(root, gatewayId, signal);
    for (const name of await entries(dir, "file")) {
      const date = dayFileDate(name);
      if (date) found.push({ gatewayId, date, path: path.join(dir, name) });
    }
  }
  return found;
}

/**
 * The names of `dir`'s subdirectories or files; none when `dir` does not exist. Any other failure (permission denied,
 * a broken link) rejects with `Cannot list <dir>: <reason>`: an export or upload must not take it for "no files".
 */
export async function entries(dir: string, kind: "directory" | "file"): Promise<string[]> {
  const all = await unlessMissing(readdir(dir, { withFileTypes: true }), "list", dir);
  return (all ?? []).filter((e) => kind === "file" ? e.isFile() : e.isDirectory()).map((e) => e.name);
}
