import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { credentialProvider } from "../../../storage/s3/credentials.ts";
import { S3Client } from "../../../storage/s3/s3_client.ts";
import { runUploadTick, type UploadTickOptions } from "../../../storage/upload/run_uploads.ts";
import { uploadSettings } from "../../../storage/upload/upload_settings.ts";
import { writeArchiveParquet } from "../../../query/archive_parquet.ts";
import { tempDir } from "../../helpers/child.ts";
import { type S3Server, startS3 } from "../../helpers/s3_server.ts";
import { day, ledgerLines, parquetRows, relay, writeRows } from "./_fixtures.ts";

describe("runUploadTick against radosgw", () => {
  let s3: S3Server;
  before(async () => s3 = await startS3());
  after(async () => await s3?.stop());

  /** A tick over `root` into `bucket`, logging into `logs`. */
  function tick(root: string, bucket: string, logs: string[], extra: Partial<UploadTickOptions> = {}) {
    return runUploadTick({
      root,
      settings: uploadSettings({ bucket, catchupDays: 3 }, {}),
      client: s3.client(),
      writeParquet: writeArchiveParquet,
      log: (line) => logs.push(line),
      ...extra,
    });
  }

  it("uploads each past day once, with exact keys, ledger lines and rows; a second tick uploads nothing", async () => {
    const tmp = await tempDir();
    try {
      const root = tmp.dir;
      const bucket = await s3.bucket();
      const [d1, d2] = [day(2), day(1)];
      const logs1 = await writeRows(root, "gw-a", "logs", d1, 5);
      await writeRows(root, "gw-a", "traces", d2, 3);
      await writeRows(root, "gw-b", "metrics", d2, 4);
      await writeRows(root, "gw-a", "logs", day(0), 2); // today: still being written
      await writeRows(root, "gw-a", "logs", day(4), 2); // older than catchupDays
      await writeRows(root, "gw-a", "logs", d2, 0).then(() => {}); // an empty day: no rows, no object
      await mkdir(path.join(root, "gw-a", "proxy"), { recursive: true }); // proxy is not a default signal
      await writeFile(path.join(root, "gw-a", "proxy", `${d2}.jsonl`), "{}\n");
      const logs: string[] = [];
      const result = await tick(root, bucket, logs);
      assert.deepEqual(logs, []);
      assert.deepEqual(result, { jobs: 4, uploaded: 3, skipped: 1, failed: 0, retry: false });
      const keys = [
        `collectivus/gw-a/logs/date=${d1}/data.parquet`,
        `collectivus/gw-a/traces/date=${d2}/data.parquet`,
        `collectivus/gw-b/metrics/date=${d2}/data.parquet`,
      ];
      const listed = (await s3.client().list(bucket, "")).objects;
      assert.deepEqual(listed.map((o) => o.key), keys);
      const ledger = await ledgerLines(root);
      assert.deepEqual(ledger, [
        { service: "gw-a", signal: "logs", date: d1, status: "committed", key: keys[0], size: listed[0].size, rows: 5 },
        {
          service: "gw-a",
          signal: "traces",
          date: d2,
          status: "committed",
          key: keys[1],
          size: listed[1].size,
          rows: 3,
        },
        {
          service: "gw-b",
          signal: "metrics",
          date: d2,
          status: "committed",
          key: keys[2],
          size: listed[2].size,
          rows: 4,
        },
      ]);
      const back = await parquetRows(
        await s3.client().get(bucket, keys[0]),
        tmp.dir,
        `SELECT gateway_id, serviceName, body, severityText FROM t`,
      );
      assert.deepEqual(
        back,
        logs1.map((r) => ({
          gateway_id: "gw-a",
          serviceName: r.serviceName,
          body: `"${r.body}"`,
          severityText: r.severityText,
        })),
      );
      const again = await tick(root, bucket, logs);
      assert.deepEqual(again, { jobs: 4, uploaded: 0, skipped: 4, failed: 0, retry: false });
      assert.equal((await ledgerLines(root)).length, 3);
    } finally {
      await tmp.remove();
    }
  });

  it("an object already in the bucket is recorded from its HEAD (rows 0), not uploaded again", async () => {
    const tmp = await tempDir();
    try {
      const bucket = await s3.bucket();
      const date = day(1);
      await writeRows(tmp.dir, "gw", "logs", date, 3);
      const key = `collectivus/gw/logs/date=${date}/data.parquet`;
      await s3.client().put(bucket, key, new Uint8Array([9, 9, 9]));
      const result = await tick(tmp.dir, bucket, []);
      assert.deepEqual(result, { jobs: 1, uploaded: 0, skipped: 1, failed: 0, retry: false });
      assert.deepEqual(await ledgerLines(tmp.dir), [
        { service: "gw", signal: "logs", date, status: "committed", key, size: 3, rows: 0 },
      ]);
      assert.deepEqual(await s3.client().get(bucket, key), new Uint8Array([9, 9, 9]));
    } finally {
      await tmp.remove();
    }
  });

  it("a wrong secret fails every job with a clear 403, writes no ledger line, and the next tick uploads", async () => {
    const tmp = await tempDir();
    try {
      const bucket = await s3.bucket();
      const date = day(1);
      await writeRows(tmp.dir, "gw", "logs", date, 2);
      await writeRows(tmp.dir, "gw", "traces", date, 2);
      const logs: string[] = [];
      const wrong = s3.client({ secretAccessKey: "not-the-secret-not-the-secret-not-the-se" });
      const failed = await tick(tmp.dir, bucket, logs, { client: wrong });
      assert.deepEqual(failed, { jobs: 2, uploaded: 0, skipped: 0, failed: 2, retry: true });
      assert.deepEqual(logs, [
        `[collectivus] upload failed for gw/logs/${date}: s3 HEAD ${bucket}/collectivus/gw/logs/date=${date}/data.parquet returned 403: Forbidden`,
        `[collectivus] upload failed for gw/traces/${date}: s3 HEAD ${bucket}/collectivus/gw/traces/date=${date}/data.parquet returned 403: Forbidden`,
      ]);
      assert.deepEqual(await ledgerLines(tmp.dir), []);
      assert.deepEqual((await s3.client().list(bucket, "")).objects, []);
      const retried = await tick(tmp.dir, bucket, logs);
      assert.deepEqual(retried, { jobs: 2, uploaded: 2, skipped: 0, failed: 0, retry: false });
      assert.equal((await ledgerLines(tmp.dir)).length, 2);
    } finally {
      await tmp.remove();
    }
  });

  it("the S3 server going away mid-tick: retried, then every day lands exactly once when it is back", async () => {
    const tmp = await tempDir();
    try {
      const bucket = await s3.bucket();
      const dates = [day(3), day(2), day(1)];
      for (const date of dates) await writeRows(tmp.dir, "gw", "logs", date, 4);
      const url = new URL(s3.endpoint);
      const link = await relay({ host: url.hostname, port: Number(url.port) });
      const puts: string[] = [];
      let attempts = 0;
      const client = new S3Client({
        endpoint: link.endpoint,
        credentials: credentialProvider(s3.env),
        retry: { attempts: 3, baseDelayMs: 10 },
        fetchFn: async (input, init) => {
          const request = input instanceof Request ? input : new Request(input, init);
          if (request.method === "HEAD") attempts++;
          const response = await fetch(request);
          if (request.method === "PUT" && response.ok) puts.push(new URL(request.url).pathname);
          return response;
        },
      });
      const logs: string[] = [];
      const first = await tick(tmp.dir, bucket, logs, {
        client,
        // The server goes away as soon as the first day is in.
        onJob: async (_job, index, _total, outcome) => {
          if (index === 0 && outcome) await link.cut();
        },
      });
      assert.deepEqual(first, { jobs: 3, uploaded: 1, skipped: 0, failed: 2, retry: true });
      assert.equal(attempts, 1 + 3 + 3, "each failed HEAD was tried 3 times");
      assert.equal(logs.length, 2);
      assert.match(
        logs[0],
        new RegExp(`^\\[collectivus\\] upload failed for gw/logs/${dates[1]}: s3 HEAD .* failed: `),
      );
      await link.restore();
      const second = await tick(tmp.dir, bucket, logs, { client });
      assert.deepEqual(second, { jobs: 3, uploaded: 2, skipped: 1, failed: 0, retry: false });
      const keys = dates.map((d) => `collectivus/gw/logs/date=${d}/data.parquet`);
      assert.deepEqual(puts, keys.map((k) => `/${bucket}/${k.replace(/=/g, "%3D")}`));
      assert.deepEqual((await s3.client().list(bucket, "")).objects.map((o) => o.key), keys);
      assert.deepEqual((await ledgerLines(tmp.dir)).map((e) => [e.key, e.rows]), keys.map((k) => [k, 4]));
      await link.cut();
    } finally {
      await tmp.remove();
    }
  });

  it("a large day goes up as a multipart upload and reads back whole", async () => {
    const tmp = await tempDir();
    try {
      const bucket = await s3.bucket();
      const date = day(1);
      // Random bodies, so zstd cannot shrink the day below a few parts.
      const lines = Array.from(
        { length: 120_000 },
        (_, i) =>
          JSON.stringify({
            serviceName: "big",
            timestamp: new Date(Date.UTC(2025, 2, 1, 0, 0, 0, i)).toISOString(),
            body: randomBytes(100).toString("hex"),
            attributes: { i },
          }),
      );
      await mkdir(path.join(tmp.dir, "gw", "logs"), { recursive: true });
      await writeFile(path.join(tmp.dir, "gw", "logs", `${date}.jsonl`), lines.join("\n") + "\n");
      const sent: number[] = [];
      const result = await tick(tmp.dir, bucket, [], { partSize: 5 * 1024 * 1024, onBytes: (n) => sent.push(n) });
      assert.deepEqual(result, { jobs: 1, uploaded: 1, skipped: 0, failed: 0, retry: false });
      const [entry] = await ledgerLines(tmp.dir);
      assert.ok(sent.length >= 2, `${entry.size} bytes went up in ${sent.length} part(s)`);
      assert.equal(sent.at(-1), entry.size);
      const key = `collectivus/gw/logs/date=${date}/data.parquet`;
      assert.deepEqual(await s3.client().head(bucket, key), { size: entry.size });
      const [counts] = await parquetRows(
        await s3.client().get(bucket, key),
        tmp.dir,
        "SELECT count(*)::INTEGER AS n, count(DISTINCT body)::INTEGER AS bodies, max((attributes->>'i')::INTEGER) AS last FROM t",
      );
      assert.deepEqual(counts, { n: 120_000, bodies: 120_000, last: 119_999 });
      assert.equal(entry.rows, 120_000);
    } finally {
      await tmp.remove();
    }
  });
});
