/**
 * Validation of the `query` block: local query settings.
 *
 * @module
 */
import { checkBoolean, checkNonEmptyString, checkObject, child, fail, has } from "./_checks.ts";

const POINTER = "/query";
const QUERY_KEYS = ["cache", "claude_transcripts_dir"] as const;
const CACHE_KEYS = ["enabled", "dir"] as const;

/** Checks the `query` block at `/query` (`cache.enabled`, `cache.dir`, `claude_transcripts_dir`). */
export function validateQuery(value: unknown): void {
  const query = checkObject(value, POINTER, QUERY_KEYS);
  if (has(query, "claude_transcripts_dir") && query.claude_transcripts_dir !== false) {
    const pointer = child(POINTER, "claude_transcripts_dir");
    if (typeof query.claude_transcripts_dir !== "string" || query.claude_transcripts_dir === "") {
      fail(pointer, "must be a non-empty string (a directory) or false");
    }
  }
  if (!has(query, "cache")) return;
  const pointer = child(POINTER, "cache");
  const cache = checkObject(query.cache, pointer, CACHE_KEYS);
  if (has(cache, "enabled")) checkBoolean(cache.enabled, child(pointer, "enabled"));
  if (has(cache, "dir")) checkNonEmptyString(cache.dir, child(pointer, "dir"));
}
