import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { writeArchiveParquet } from "../../../query/archive_parquet.ts";
import { importTranscripts } from "../../../query/transcript_import/import.ts";
import { TRANSCRIPT_MESSAGES } from "../../../query/transcript_messages/dataset.ts";
import { TRANSCRIPT_REQUESTS } from "../../../query/transcript_requests/dataset.ts";
import { runUploadTick } from "../../../storage/upload/run_uploads.ts";
import { uploadSettings } from "../../../storage/upload/upload_settings.ts";
import { ctvs } from "../../helpers/child.ts";
import { type S3Server, startS3 } from "../../helpers/s3_server.ts";
import { scratch, written } from "../../query/transcript_import/_setup.ts";
import { ledgerLines, parquetRows } from "./_fixtures.ts";

const DAY_MS = 86_400_000;

describe("imported transcripts upload as transcript_messages and transcript_requests against radosgw", () => {
  let s3: S3Server;
  before(async () => s3 = await startS3());
  after(async () => await s3?.stop());

  it("archives both by default, and --archive reads back the rows the local query shows", async () => {
    const s = await scratch();
    try {
      const bucket = await s3.bucket();
      const recorded = s.root;
      // The recorded Claude Code transcript and Codex rollout, imported as a user would.
      await importTranscripts({
        root: recorded,
        gatewayId: "gw",
        sources: ["claude_code", "codex"],
        env: { CLAUDE_CONFIG_DIR: path.dirname(s.claude), CODEX_HOME: s.codex, HOME: "/nonexistent" },
      });
      const days = Object.keys(await written(recorded, "gw", "transcripts")).map((name) => name.slice(0, 10));
      assert.deepEqual(Object.keys(await written(recorded, "gw", "transcript_usage")), days.map((d) => `${d}.jsonl`));
      // The tick runs the day after the last imported day, its window reaching back to the first.
      const now = new Date(Date.parse(days.at(-1)!) + DAY_MS + 3_600_000);
      const catchupDays = Math.ceil((now.getTime() - Date.parse(days[0])) / DAY_MS);
      const ticked = await runUploadTick({
        root: recorded,
        // No `signals`: the default archives the imported transcripts beside the OTLP and Gas City ones.
        settings: uploadSettings({ bucket, endpoint: s3.endpoint, catchupDays }, {}),
        client: s3.client(),
        writeParquet: writeArchiveParquet,
        now,
        log: (line) => assert.fail(line),
      });
      assert.deepEqual(ticked, {
        jobs: 2 * days.length,
        uploaded: 2 * days.length,
        skipped: 0,
        failed: 0,
        retry: false,
      });
      const key = (ds: string, d: string) => `collectivus/gw/${ds}/date=${d}/data.parquet`;
      const keys = days.flatMap((d) => [key("transcript_messages", d), key("transcript_requests", d)]);
      const listed = (await s3.client().list(bucket, "")).objects;
      assert.deepEqual(listed.map((o) => o.key), keys.toSorted());
      assert.deepEqual(
        (await ledgerLines(recorded)).map((l) => [l.signal, l.date, l.key]),
        days.flatMap((d) => [
          ["transcript_messages", d, key("transcript_messages", d)],
          ["transcript_requests", d, key("transcript_requests", d)],
        ]),
      );
      // The v2 schema: gateway_id first, the dataset's columns, no date.
      for (const dataset of [TRANSCRIPT_MESSAGES, TRANSCRIPT_REQUESTS]) {
        const file = await s3.client().get(bucket, key(dataset.name, days[0]));
        const columns = await parquetRows(file, s.dir, "DESCRIBE t");
        assert.deepEqual(
          columns.map((c) => c.column_name),
          dataset.columns.filter((c) => c.name !== "date").map((c) => c.name),
        );
      }

      // Another host reads the archive: the same rows, every column, as the recordings' own query shows.
      const reader = path.join(s.dir, "reader");
      const configs = { recorded: path.join(s.dir, "recorded.json"), reader: path.join(s.dir, "reader.json") };
      for (const [name, dir] of [["recorded", recorded], ["reader", reader]] as const) {
        const config = {
          version: 1,
          sink: { type: "file", dir },
          upload: { bucket, endpoint: s3.endpoint },
          query: { claude_transcripts_dir: false },
        };
        await writeFile(configs[name], JSON.stringify(config));
      }
      const sql = `SELECT 'message' AS kind, CAST(date AS VARCHAR) AS day, to_json(m) AS row FROM transcript_messages m
        UNION ALL SELECT 'request', CAST(date AS VARCHAR), to_json(r) FROM transcript_requests r ORDER BY ALL`;
      const archived = await ctvs(["query", "sql", sql, "--archive", "--config", configs.reader, "--format", "json"], {
        env: s3.env,
      });
      assert.equal(archived.code, 0, archived.stderr);
      const local = await ctvs(["query", "sql", sql, "--config", configs.recorded, "--format", "json"]);
      assert.equal(local.code, 0, local.stderr);
      const rows = JSON.parse(archived.stdout) as { kind: string; day: string; row: Record<string, unknown> }[];
      assert.deepEqual(rows, JSON.parse(local.stdout));
      // Every imported part and each request once (8 usage observations of 8 requests in the recorded turns).
      assert.deepEqual([
        rows.filter((r) => r.kind === "message").length,
        rows.filter((r) => r.kind === "request").length,
      ], [
        31,
        8,
      ]);
      const providers = new Set(rows.filter((r) => r.kind === "request").map((r) => r.row.provider));
      assert.deepEqual([...providers].sort(), ["anthropic", "openai"]);
      assert.ok(rows.every((r) => r.row.gateway_id === "gw"));
    } finally {
      await s.remove();
    }
  });
});
