/**
 * The error a sink write rejects with.
 *
 * @module
 */
import { errorCode, fsReason } from "../platform/fs_error.ts";

/**
 * A write to a sink file failed: `message` is `Cannot write <path>: <reason>`, `code` the system error code when there
 * is one (`EACCES`, `ENOSPC`, ...), `cause` the original error. Callers treat it as retryable (an OTLP 503): the
 * condition (a full disk, a permission) may clear, and the sink recovers on its own when it does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SinkWriteError } from "./sink_write_error.ts";
 *
 * const cause = Object.assign(new Error("EACCES: permission denied, open '/x'"), { code: "EACCES" });
 * const error = new SinkWriteError("/x/a.jsonl", cause);
 * assert.equal(error.message, "Cannot write /x/a.jsonl: permission denied");
 * assert.equal(error.code, "EACCES");
 * ```
 */
export class SinkWriteError extends Error {
  /** The file that could not be written. */
  readonly path: string;
  /** The system error code, e.g. `"ENOSPC"`, when the cause had one. */
  readonly code: string | undefined;

  /** Wraps `cause`, a failure to write `path`. */
  constructor(path: string, cause: unknown) {
    super(`Cannot write ${path}: ${fsReason(cause)}`, { cause });
    this.name = "SinkWriteError";
    this.path = path;
    this.code = errorCode(cause);
  }
}
