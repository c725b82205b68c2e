import assert from "node:assert/strict";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { listDayFiles } from "../../storage/day_files.ts";
import { withTempDir } from "./_helpers.ts";

test("listDayFiles() finds day files, and nothing under a root that does not exist", async () => {
  await withTempDir(async (dir) => {
    await mkdir(path.join(dir, "gw", "logs"), { recursive: true });
    await writeFile(path.join(dir, "gw", "logs", "2025-03-01.jsonl"), "{}\n");
    await writeFile(path.join(dir, "gw", "logs", "notes.txt"), "");
    await mkdir(path.join(dir, ".collectivus-query", "logs"), { recursive: true });
    assert.deepEqual(await listDayFiles(dir, "logs"), [
      { gatewayId: "gw", date: "2025-03-01", path: path.join(dir, "gw", "logs", "2025-03-01.jsonl") },
    ]);
    assert.deepEqual(await listDayFiles(dir, "traces"), []);
    assert.deepEqual(await listDayFiles(path.join(dir, "missing"), "logs"), []);
  });
});

test("listDayFiles() reports a folder it cannot read instead of finding no files", async () => {
  await withTempDir(async (dir) => {
    await mkdir(path.join(dir, "gw"), { recursive: true });
    // A link to itself: ELOOP, as a permission problem would be (the tests run as root, where chmod does not bite).
    await symlink(path.join(dir, "gw", "logs"), path.join(dir, "gw", "logs"));
    await assert.rejects(
      listDayFiles(dir, "logs"),
      new Error(`Cannot list ${path.join(dir, "gw", "logs")}: too many symbolic links`),
    );
  });
});
