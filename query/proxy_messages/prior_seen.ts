/**
 * `priorSeen` (reference §6.1 step 2): the message ids and the tool names (`tool_call_id` to `tool_name`) a gateway's
 * earlier days already produced, read from their cached `proxy_messages` parts, so a conversation that goes on after
 * midnight does not repeat its history.
 *
 * @module
 */
import { literal } from "../dataset.ts";
import type { Db } from "../duckdb.ts";
import { earlierParts } from "./earlier_parts.ts";
import type { PriorSeen } from "./walker.ts";

/**
 * Reads what the partitions before `date` beside `dir` hold.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openDb } from "../duckdb.ts";
 * const db = await openDb();
 * const seen = await priorSeen(db, "/nonexistent/gateway_id=g/date=2025-03-02", "2025-03-02");
 * assert.deepEqual([seen.messageIds.size, seen.toolNames.size], [0, 0]);
 * db.close();
 * ```
 */
export async function priorSeen(db: Db, dir: string, date: string): Promise<PriorSeen> {
  const parts = await earlierParts(dir, date);
  const seen: PriorSeen = { messageIds: new Set(), toolNames: new Map() };
  if (!parts.length) return seen;
  const files = `read_parquet([${parts.map(literal).join(", ")}])`;
  const result = await db.connection.stream(`SELECT DISTINCT message_id FROM ${files}`);
  for await (const chunk of result.yieldRowsJs()) for (const [id] of chunk) seen.messageIds.add(String(id));
  const tools = await db.connection.stream(
    `SELECT tool_call_id, any_value(tool_name) FROM ${files} WHERE part_type = 'tool_call' AND tool_call_id IS NOT NULL ` +
      `AND tool_name IS NOT NULL GROUP BY tool_call_id`,
  );
  for await (const chunk of tools.yieldRowsJs()) {
    for (const [id, name] of chunk) seen.toolNames.set(String(id), String(name));
  }
  return seen;
}
