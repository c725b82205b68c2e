import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { writeArchiveParquet } from "../../../query/archive_parquet.ts";
import { GASCITY_EVENTS, GASCITY_MESSAGES } from "../../../query/gascity/datasets.ts";
import { runUploadTick } from "../../../storage/upload/run_uploads.ts";
import { uploadSettings } from "../../../storage/upload/upload_settings.ts";
import { ctvs, tempDir } from "../../helpers/child.ts";
import { type S3Server, startS3 } from "../../helpers/s3_server.ts";
import { MAYOR, writeGascityDays } from "../../query/gascity/_days.ts";
import { day, ledgerLines, parquetRows } from "./_fixtures.ts";

const sorted = (ids: unknown[]) => [...ids].sort();

describe("Gas City days upload as gascity_messages and gascity_events against radosgw", () => {
  let s3: S3Server;
  before(async () => s3 = await startS3());
  after(async () => await s3?.stop());

  it("archives both by default, each row once though a crash wrote it twice, and --archive reads them back", async () => {
    const tmp = await tempDir();
    try {
      const bucket = await s3.bucket();
      const recorded = path.join(tmp.dir, "recorded");
      const [d2, d1] = [day(2), day(1)];
      const expected = await writeGascityDays(recorded, "gw", [d2, d1]);
      const ticked = await runUploadTick({
        root: recorded,
        // No `signals`: the default archives the Gas City datasets beside the OTLP ones.
        settings: uploadSettings({ bucket, endpoint: s3.endpoint, catchupDays: 7 }, {}),
        client: s3.client(),
        writeParquet: writeArchiveParquet,
        log: (line) => assert.fail(line),
      });
      assert.deepEqual(ticked, { jobs: 4, uploaded: 4, skipped: 0, failed: 0, retry: false });
      const key = (ds: string, d: string) => `collectivus/gw/${ds}/date=${d}/data.parquet`;
      const keys = [key("gascity_events", d2), key("gascity_events", d1), key("gascity_messages", d2)];
      keys.splice(2, 0, key("gascity_messages", d1));
      const listed = (await s3.client().list(bucket, "")).objects;
      assert.deepEqual(listed.map((o) => o.key), keys.toSorted());
      const size = (k: string) => listed.find((o) => o.key === k)!.size;
      const entry = (signal: string, date: string, rows: number) => ({
        service: "gw",
        signal,
        date,
        status: "committed",
        key: key(signal, date),
        size: size(key(signal, date)),
        rows,
      });
      assert.deepEqual(await ledgerLines(recorded), [
        entry("gascity_messages", d2, expected.messages[0].length),
        entry("gascity_events", d2, 3),
        entry("gascity_messages", d1, expected.messages[1].length),
        entry("gascity_events", d1, 2),
      ]);

      // Each file: the day's rows, each once, none the day before holds; the v2 schema (gateway_id first, no date).
      const ids = async (ds: string, d: string, column: string) =>
        (await parquetRows(await s3.client().get(bucket, key(ds, d)), tmp.dir, `SELECT ${column} AS id FROM t`))
          .map((r) => r.id);
      for (const [i, d] of [d2, d1].entries()) {
        assert.deepEqual(sorted(await ids("gascity_messages", d, "row_id")), sorted(expected.messages[i]));
        assert.deepEqual(sorted(await ids("gascity_events", d, "event_id")), sorted(expected.events[i]));
      }
      assert.deepEqual(expected.events, [
        ["city:bright-lights:seq:1", "city:bright-lights:seq:2", "city:bright-lights:seq:3"],
        ["city:bright-lights:seq:4", "city:bright-lights:seq:5"],
      ]);
      for (const dataset of [GASCITY_MESSAGES, GASCITY_EVENTS]) {
        const columns = await parquetRows(await s3.client().get(bucket, key(dataset.name, d1)), tmp.dir, "DESCRIBE t");
        assert.deepEqual(
          columns.map((c) => c.column_name),
          dataset.columns.filter((c) => c.name !== "date").map((c) => c.name),
        );
      }

      // Another host reads the archive: the same rows, every column, as the recordings' own query shows.
      const reader = path.join(tmp.dir, "reader");
      const configs = { recorded: path.join(tmp.dir, "recorded.json"), reader: path.join(tmp.dir, "reader.json") };
      for (const [name, dir] of [["recorded", recorded], ["reader", reader]] as const) {
        const config = { version: 1, sink: { type: "file", dir }, upload: { bucket, endpoint: s3.endpoint } };
        await writeFile(configs[name], JSON.stringify(config));
      }
      const sql = `SELECT 'message' AS kind, row_id AS id, CAST(date AS VARCHAR) AS day, to_json(m) AS row
        FROM gascity_messages m
        UNION ALL SELECT 'event', event_id, CAST(date AS VARCHAR), to_json(e) FROM gascity_events e ORDER BY ALL`;
      const archived = await ctvs(["query", "sql", sql, "--archive", "--config", configs.reader, "--format", "json"], {
        env: s3.env,
      });
      assert.equal(archived.code, 0, archived.stderr);
      const local = await ctvs(["query", "sql", sql, "--config", configs.recorded, "--format", "json"]);
      assert.equal(local.code, 0, local.stderr);
      const rows = JSON.parse(archived.stdout) as {
        kind: string;
        id: string;
        day: string;
        row: Record<string, unknown>;
      }[];
      assert.deepEqual(rows, JSON.parse(local.stdout));
      const ofDay = (kind: string, d: string) => rows.filter((r) => r.kind === kind && r.day === d).map((r) => r.id);
      assert.deepEqual([ofDay("message", d2), ofDay("message", d1)], expected.messages.map(sorted));
      assert.deepEqual([ofDay("event", d2), ofDay("event", d1)], expected.events);
      // Exact rows: the agent identity and the whole transcript line come back as recorded.
      const first = rows.find((r) => r.kind === "message")!.row;
      assert.equal(first.gateway_id, "gw");
      assert.deepEqual(
        [first.city, first.gascity_session_id, first.gascity_template, first.gascity_rig, first.gascity_alias],
        [MAYOR.city, MAYOR.sessionId, MAYOR.template, MAYOR.rig, MAYOR.alias],
      );
      const mail = rows.find((r) => r.id === "city:bright-lights:seq:4")!.row;
      assert.deepEqual(
        [mail.type, mail.seq, mail.ts, mail.subject, mail.supervisor_url],
        ["mail.sent", 4, `${d1} 23:54:00`, MAYOR.sessionId, "http://127.0.0.1:8372"],
      );
    } finally {
      await tmp.remove();
    }
  });
});
