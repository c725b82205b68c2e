import assert from "node:assert/strict";
import { test } from "node:test";
import { SinkWriteError } from "../../storage/sink_write_error.ts";
import { systemError } from "./_helpers.ts";

test("SinkWriteError names the path and a short reason for known codes", () => {
  const cases: [string, string][] = [
    ["EACCES", "permission denied"],
    ["EPERM", "permission denied"],
    ["EROFS", "read-only file system"],
    ["ENOSPC", "no space left on device"],
    ["EDQUOT", "disk quota exceeded"],
    ["ENOTDIR", "a parent path is not a directory"],
    ["EMFILE", "too many open files"],
  ];
  for (const [code, reason] of cases) {
    const cause = systemError(code, "raw system text");
    const error = new SinkWriteError("/data/gw/logs/2025-01-01.jsonl", cause);
    assert.equal(error.message, `Cannot write /data/gw/logs/2025-01-01.jsonl: ${reason}`);
    assert.equal(error.code, code);
    assert.equal(error.path, "/data/gw/logs/2025-01-01.jsonl");
    assert.equal(error.cause, cause);
    assert.equal(error.name, "SinkWriteError");
    assert.ok(error instanceof Error);
  }
});

test("SinkWriteError falls back to the cause's message for unknown errors", () => {
  assert.equal(new SinkWriteError("/f", new Error("disk on fire")).message, "Cannot write /f: disk on fire");
  assert.equal(new SinkWriteError("/f", "odd").message, "Cannot write /f: odd");
  assert.equal(new SinkWriteError("/f", "odd").code, undefined);
});
