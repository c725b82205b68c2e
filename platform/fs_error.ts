/**
 * File-system errors in words: short reasons for their codes, for messages of the form "Cannot write <path>: <reason>",
 * and the one rule for "absent": only ENOENT is; anything else is an error to report.
 *
 * @module
 */

const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  ENOTDIR: "a parent path is not a directory",
  EISDIR: "it is a directory",
  ENOENT: "no such file or directory",
  // mkdir -p says EEXIST when a file stands where a directory of the path should be.
  EEXIST: "a parent path is not a directory",
  EMFILE: "too many open files",
  ENFILE: "too many open files",
  EIO: "input/output error",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "file name too long",
  EFBIG: "file too large",
};

/** The `code` of a Node-style system error (`"EACCES"`, ...), or undefined. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** A lower-case reason for `err`: a fixed phrase for known codes, else the error's own message. */
export function fsReason(err: unknown): string {
  const code = errorCode(err);
  if (code && REASONS[code]) return REASONS[code];
  return err instanceof Error ? err.message : String(err);
}

/**
 * Resolves with what `work` resolves with, or undefined when the file or directory does not exist (ENOENT): the one
 * error that means "absent". Any other (EACCES, EIO, ENOTDIR...) rejects with `Cannot <action> <path>: <reason>`, so a
 * permission problem is reported rather than taken for "nothing there".
 *
 * @param work The file-system call.
 * @param action What it does, for the message ("read", "list").
 * @param file The path it works on.
 * @returns Its value, or undefined when the path is missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readFile } from "node:fs/promises";
 * assert.equal(await unlessMissing(readFile("/nonexistent/x"), "read", "/nonexistent/x"), undefined);
 * await assert.rejects(
 *   unlessMissing(readFile("/etc/passwd/x"), "read", "/etc/passwd/x"),
 *   new Error("Cannot read /etc/passwd/x: a parent path is not a directory"),
 * );
 * ```
 */
export async function unlessMissing<T>(work: Promise<T>, action: string, file: string): Promise<T | undefined> {
  try {
    return await work;
  } catch (err) {
    if (errorCode(err) === "ENOENT") return undefined;
    throw new Error(`Cannot ${action} ${file}: ${fsReason(err)}`, { cause: err });
  }
}
