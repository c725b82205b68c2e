import assert from "node:assert/strict";
import { readdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ctvs, tempDir } from "../helpers/child.ts";
import { type S3Server, startS3 } from "../helpers/s3_server.ts";
import { exchangeRow, writeProxyDay } from "../query/proxy_messages/_fixtures.ts";
import { day, ledgerLines, writeRows } from "../server/upload/_fixtures.ts";

describe("ctvs upload --now against radosgw", () => {
  let s3: S3Server;
  before(async () => s3 = await startS3());
  after(async () => await s3?.stop());

  async function setup(bucket: string, extra: Record<string, unknown> = {}) {
    const tmp = await tempDir();
    const root = path.join(tmp.dir, "data");
    const file = path.join(tmp.dir, "config.json");
    const { upload, ...rest } = extra;
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        sink: { type: "file", dir: root },
        upload: { bucket, endpoint: s3.endpoint, catchupDays: 7, ...upload as object },
        ...rest,
      }),
    );
    return { tmp, root, file };
  }

  it("--help prints the usage; without --now it is a usage error (exit 2)", async () => {
    const help = await ctvs(["upload", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: ctvs upload --now \[config options\]/);
    const bare = await ctvs(["upload", "--config", "/nonexistent.json"]);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /^error: --now is required \(the daemon runs the daily schedule\)\n\nUsage: ctvs upload/);
  });

  it("uploads every past day, prints one line each, and skips them on a second run", async () => {
    const bucket = await s3.bucket();
    const { tmp, root, file } = await setup(bucket);
    try {
      const [d1, d2] = [day(2), day(1)];
      await writeRows(root, "gw", "logs", d1, 3);
      await writeRows(root, "gw", "metrics", d2, 2);
      const run = await ctvs(["upload", "--now", "--config", file], { env: s3.env });
      assert.equal(run.code, 0, run.stderr);
      const sizes = (await ledgerLines(root)).map((e) => e.size);
      assert.deepEqual(run.stdout.split("\n"), [
        `uploaded s3://${bucket}/collectivus/gw/logs/date=${d1}/data.parquet (3 rows, ${sizes[0]} bytes)`,
        `uploaded s3://${bucket}/collectivus/gw/metrics/date=${d2}/data.parquet (2 rows, ${sizes[1]} bytes)`,
        "Done. 2 uploaded, 0 skipped, 0 failed.",
      ]);
      assert.equal(run.stderr, "");
      const again = await ctvs(["upload", "--now", "--config", file], { env: s3.env });
      assert.equal(again.code, 0);
      assert.deepEqual(again.stdout.split("\n"), [
        `skip gw/logs/${d1}: in the ledger`,
        `skip gw/metrics/${d2}: in the ledger`,
        "Done. 0 uploaded, 2 skipped, 0 failed.",
      ]);
    } finally {
      await tmp.remove();
    }
  });

  it("proxy days are derived in the configured query.cache.dir, not the default one", async () => {
    const bucket = await s3.bucket();
    const { tmp, root, file } = await setup(bucket, {
      upload: { signals: ["proxy"] },
      query: { cache: { dir: path.join("elsewhere", "cache") } },
    });
    try {
      const date = day(1);
      const body = { model: "claude-sonnet-4-5", max_tokens: 8, messages: [{ role: "user", content: "hello" }] };
      const response = {
        id: "msg_1",
        type: "message",
        role: "assistant",
        model: "claude-sonnet-4-5",
        content: [{ type: "text", text: "hi" }],
        stop_reason: "end_turn",
        usage: { input_tokens: 5, output_tokens: 3 },
      };
      await writeProxyDay(root, "gw", date, [exchangeRow("e1", `${date}T10:00:00.000Z`, { body, response })]);
      // A relative query.cache.dir is taken from the working directory, as `ctvs query` takes it.
      const run = await ctvs(["upload", "--now", "--config", file], { env: s3.env, cwd: tmp.dir });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`^uploaded s3://${bucket}/collectivus/gw/proxy_messages/date=${date}/`));
      const partition = path.join(tmp.dir, "elsewhere", "cache", "datasets", "proxy_messages", "gateway_id=gw");
      assert.deepEqual(await readdir(partition), [`date=${date}`]);
      await assert.rejects(stat(path.join(root, ".collectivus-query")), /ENOENT/);
    } finally {
      await tmp.remove();
    }
  });

  it("a wrong secret: the 403 on stderr, exit 1, no ledger; the next run with the right key uploads", async () => {
    const bucket = await s3.bucket();
    const { tmp, root, file } = await setup(bucket);
    try {
      const date = day(1);
      await writeRows(root, "gw", "logs", date, 2);
      const env = { ...s3.env, AWS_SECRET_ACCESS_KEY: "wrong-wrong-wrong-wrong-wrong-wrong-wron" };
      const run = await ctvs(["upload", "--now", "--config", file], { env });
      assert.equal(run.code, 1);
      assert.equal(
        run.stderr,
        `[collectivus] upload failed for gw/logs/${date}: ` +
          `s3 HEAD ${bucket}/collectivus/gw/logs/date=${date}/data.parquet returned 403: Forbidden`,
      );
      assert.equal(run.stdout, "Done. 0 uploaded, 0 skipped, 1 failed.");
      assert.deepEqual(await ledgerLines(root), []);
      const retried = await ctvs(["upload", "--now", "--config", file], { env: s3.env });
      assert.equal(retried.code, 0);
      assert.equal((await ledgerLines(root)).length, 1);
    } finally {
      await tmp.remove();
    }
  });
});
