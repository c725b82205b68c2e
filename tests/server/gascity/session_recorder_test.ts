/**
 * The session recorder's ordering: rows first, then the journal. A write that fails (a full disk) marks nothing
 * recorded and puts the row maker back, so the same lines come out the same when they are sent again.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { SessionJournal } from "../../../server/gascity/session_journal.ts";
import { SessionRecorder } from "../../../server/gascity/session_recorder.ts";
import { tempDir } from "../../helpers/child.ts";
import { line, lineRows } from "./_harness.ts";

const SESSION = {
  city: "alpha",
  apiUrl: "http://x",
  sessionId: "s-1",
  template: "mayor",
  rig: null,
  alias: null,
  provider: "claude",
};

test("SessionRecorder marks lines recorded only once their rows are written; a failed write changes nothing", async () => {
  const tmp = await tempDir("ctvs-recorder-");
  try {
    const file = path.join(tmp.dir, "s-1.jsonl");
    const written: Record<string, unknown>[][] = [];
    let full = false;
    const recorder = new SessionRecorder({
      journal: await SessionJournal.open(file),
      session: SESSION,
      rows: lineRows,
      write: (rows) => {
        if (full) return Promise.reject(new Error("Cannot write day file: no space left on device (ENOSPC)"));
        written.push(rows);
        return Promise.resolve();
      },
    });
    assert.deepEqual(await recorder.ingest([line("u1"), line("u2")]), {
      lines: 2,
      rows: 2,
      duplicates: 0,
      malformed: 0,
    });
    full = true;
    await assert.rejects(recorder.ingest([line("u2"), line("u3")]), /ENOSPC/);
    assert.ok(!recorder.journal.has("u3"));
    assert.deepEqual((await SessionJournal.open(file)).size, 2);
    full = false;
    // The same lines again: u2 is a duplicate, u3 comes out as it would have the first time (the maker's 3rd line).
    assert.deepEqual(await recorder.ingest([line("u2"), line("u3")]), {
      lines: 1,
      rows: 1,
      duplicates: 1,
      malformed: 0,
    });
    assert.deepEqual(written.flat().map((r) => [r.key, r.n]), [["u1", 1], ["u2", 2], ["u3", 3]]);
    // The journal holds each batch's keys and the state after it.
    const batches = (await fs.readFile(file, "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(batches, [{ keys: ["u1", "u2"], state: 2 }, { keys: ["u3"], state: 3 }]);
    const reopened = await SessionJournal.open(file);
    assert.deepEqual([reopened.size, reopened.state, reopened.lastUuid], [3, 3, "u3"]);
  } finally {
    await tmp.remove();
  }
});

test("SessionJournal ignores a batch torn by a crash and starts the next append on a new line", async () => {
  const tmp = await tempDir("ctvs-journal-");
  try {
    const file = path.join(tmp.dir, "s.jsonl");
    await fs.writeFile(file, '{"keys":["u1"],"state":1}\n{"keys":["u2"],"sta');
    const journal = await SessionJournal.open(file);
    assert.deepEqual([journal.has("u1"), journal.has("u2"), journal.state], [true, false, 1]);
    await journal.append(["u3"], 3);
    const again = await SessionJournal.open(file);
    assert.deepEqual([again.has("u1"), again.has("u2"), again.has("u3"), again.state], [true, false, true, 3]);
    assert.equal(
      await fs.readFile(file, "utf8"),
      '{"keys":["u1"],"state":1}\n{"keys":["u2"],"sta\n{"keys":["u3"],"state":3}\n',
    );
  } finally {
    await tmp.remove();
  }
});
