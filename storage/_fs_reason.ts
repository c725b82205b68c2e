/**
 * Short, human reasons for file-system error codes, for messages of the form "Cannot write <path>: <reason>".
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
