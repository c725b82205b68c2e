import assert from "node:assert/strict";
import { readdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it, test } from "node:test";
import { writeArchiveParquet } from "../../query/archive_parquet.ts";
import { runUploadTick } from "../../storage/upload/run_uploads.ts";
import { uploadSettings } from "../../storage/upload/upload_settings.ts";
import { ctvs, tempDir } from "../helpers/child.ts";
import { type S3Server, startS3 } from "../helpers/s3_server.ts";
import { day, writeRows } from "../server/upload/_fixtures.ts";

/** Every file under `dir`, relative to it, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

describe("ctvs query --archive against radosgw", () => {
  let s3: S3Server;
  before(async () => s3 = await startS3());
  after(async () => await s3?.stop());

  it("fetches only the partitions the gateway and date filters need, and runs the same SQL over them", async () => {
    const tmp = await tempDir();
    try {
      const bucket = await s3.bucket();
      const [d3, d2, d1] = [day(3), day(2), day(1)];
      // The host that recorded and uploaded.
      const recorded = path.join(tmp.dir, "recorded");
      await writeRows(recorded, "gw-a", "logs", d3, 3);
      await writeRows(recorded, "gw-a", "logs", d2, 4);
      await writeRows(recorded, "gw-a", "logs", d1, 5);
      await writeRows(recorded, "gw-b", "logs", d2, 2);
      await writeRows(recorded, "gw-a", "traces", d2, 3);
      const ticked = await runUploadTick({
        root: recorded,
        settings: uploadSettings({ bucket, endpoint: s3.endpoint, catchupDays: 7 }, {}),
        client: s3.client(),
        writeParquet: writeArchiveParquet,
        log: (line) => assert.fail(line),
      });
      assert.equal(ticked.uploaded, 5);
      // Another host, with no recordings, reads the archive.
      const reader = path.join(tmp.dir, "reader");
      const configs = { recorded: path.join(tmp.dir, "recorded.json"), reader: path.join(tmp.dir, "reader.json") };
      for (const [name, dir] of [["recorded", recorded], ["reader", reader]] as const) {
        const config = { version: 1, sink: { type: "file", dir }, upload: { bucket, endpoint: s3.endpoint } };
        await writeFile(configs[name], JSON.stringify(config));
      }
      const cached = path.join(reader, ".collectivus-query", "cache", "archive", bucket);
      const key = (gw: string, ds: string, d: string) => path.join("collectivus", gw, ds, `date=${d}`, "data.parquet");
      const count = "SELECT gateway_id, CAST(date AS VARCHAR) AS date, count(*)::INTEGER AS n FROM logs " +
        "GROUP BY ALL ORDER BY ALL";

      const one = await ctvs(
        [
          "query",
          "sql",
          count,
          "--archive",
          "--config",
          configs.reader,
          "--gateway-id",
          "gw-a",
          "--date",
          d2,
          "--format",
          "json",
        ],
        { env: s3.env },
      );
      assert.equal(one.code, 0, one.stderr);
      assert.deepEqual(JSON.parse(one.stdout), [{ gateway_id: "gw-a", date: d2, n: 4 }]);
      assert.equal(one.stderr, "");
      assert.deepEqual(await filesUnder(cached), [key("gw-a", "logs", d2)]);
      const first = await stat(path.join(cached, key("gw-a", "logs", d2)));

      // Every gateway, two days: d3 is never fetched, gw-a's d2 is not fetched again.
      const range = await ctvs(
        [
          "query",
          "sql",
          count,
          "--archive",
          "--config",
          configs.reader,
          "--date",
          d2,
          "--date",
          d1,
          "--format",
          "json",
        ],
        { env: s3.env },
      );
      assert.equal(range.code, 0, range.stderr);
      assert.deepEqual(JSON.parse(range.stdout), [
        { gateway_id: "gw-a", date: d2, n: 4 },
        { gateway_id: "gw-a", date: d1, n: 5 },
        { gateway_id: "gw-b", date: d2, n: 2 },
      ]);
      assert.deepEqual(await filesUnder(cached), [
        key("gw-a", "logs", d2),
        key("gw-a", "logs", d1),
        key("gw-b", "logs", d2),
      ]);
      const again = await stat(path.join(cached, key("gw-a", "logs", d2)));
      assert.deepEqual([again.ino, again.mtimeMs], [first.ino, first.mtimeMs]);

      // The same command over the archive and over the recordings prints the same rows.
      const args = ["--gateway-id", "gw-a", "--date", d2, "--format", "json"];
      for (const command of [["logs"], ["traces"]]) {
        const local = await ctvs(["query", ...command, ...args, "--config", configs.recorded]);
        const archived = await ctvs(["query", ...command, ...args, "--archive", "--config", configs.reader], {
          env: s3.env,
        });
        assert.equal(archived.code, 0, archived.stderr);
        assert.equal(JSON.parse(archived.stdout).length, command[0] === "logs" ? 4 : 3);
        assert.deepEqual(JSON.parse(archived.stdout), JSON.parse(local.stdout));
      }
      assert.deepEqual(await filesUnder(cached), [
        key("gw-a", "logs", d2),
        key("gw-a", "logs", d1),
        key("gw-a", "traces", d2),
        key("gw-b", "logs", d2),
      ]);

      // llm_requests is derived locally and never archived: a clear error, exit 1.
      const usage = await ctvs(["query", "usage", "--archive", "--config", configs.reader], { env: s3.env });
      assert.equal(usage.code, 1);
      assert.equal(
        usage.stderr,
        "error: --archive: llm_requests is not in the archive (it archives logs, traces, metrics, proxy_messages, " +
          "gascity_messages, gascity_events, transcript_messages, transcript_requests)",
      );
    } finally {
      await tmp.remove();
    }
  });
});

test("the commands about the local cache and the live tails refuse --archive with a usage error saying why", async () => {
  const cases = [
    [["refresh"], "ctvs query refresh", "archived days never change"],
    [["status"], "ctvs query status", "it counts the local cache's partitions"],
    [["catalog"], "ctvs query catalog", "it lists the local cache's tables"],
    [["doctor"], "ctvs query doctor", "it checks the local recordings and cache"],
    [["logs", "tail"], "ctvs query logs tail", "it reads today's live JSONL"],
    [["proxy", "tail"], "ctvs query proxy tail", "it reads today's live JSONL"],
  ] as const;
  for (const [command, name, why] of cases) {
    const r = await ctvs(["query", ...command, "--archive", "--config", "/nonexistent/config.json"]);
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    const first = r.stderr.split("\n")[0];
    assert.ok(first.startsWith(`error: ${name} does not take --archive: ${why}`), first);
    assert.match(r.stderr, /\n\nUsage: ctvs query /);
  }
});
