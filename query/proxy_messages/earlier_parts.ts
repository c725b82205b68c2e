/**
 * The cached Parquet parts of a gateway's partitions dated before a day, read from their cursors: what `priorSeen`
 * and the usage reports look back on.
 *
 * @module
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { readCursor } from "../cursor.ts";

/**
 * Lists the committed parts of the partitions beside `dir` (`.../gateway_id=<gw>/date=<d>`) dated before `date`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(await earlierParts("/nonexistent/gateway_id=g/date=2025-03-02", "2025-03-02"), []);
 * ```
 */
export async function earlierParts(dir: string, date: string): Promise<string[]> {
  const gatewayDir = path.dirname(dir);
  let names: string[];
  try {
    names = (await readdir(gatewayDir)).filter((n) => /^date=\d{4}-\d{2}-\d{2}$/.test(n) && n.slice(5) < date).sort();
  } catch {
    return [];
  }
  const parts: string[] = [];
  for (const name of names) {
    const cursor = await readCursor(path.join(gatewayDir, name, "cursor.json"));
    for (const part of cursor?.parts ?? []) parts.push(path.join(gatewayDir, name, part.file));
  }
  return parts;
}
