import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { credentialsHint } from "../../cli/run.ts";
import { startCtvs, tempDir } from "../helpers/child.ts";
import { type S3Server, startS3 } from "../helpers/s3_server.ts";
import { day, ledgerLines, writeRows } from "../server/upload/_fixtures.ts";

/** Env for a child without any AWS credential source. */
const NO_AWS = {
  AWS_ACCESS_KEY_ID: "",
  AWS_SECRET_ACCESS_KEY: "",
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "",
  AWS_CONTAINER_CREDENTIALS_FULL_URI: "",
};

describe("the daemon's uploader against radosgw", () => {
  let s3: S3Server;
  before(async () => s3 = await startS3());
  after(async () => await s3?.stop());

  async function config(dir: string, bucket: string) {
    const file = path.join(dir, "config.json");
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        gateway_id: "gw",
        sink: { type: "file", dir: path.join(dir, "data") },
        upload: { bucket, prefix: "arch", endpoint: s3.endpoint, catchupDays: 40, time: "03:30" },
      }),
    );
    return file;
  }

  it("fails at start without credentials: the reference message, exit 1", async () => {
    const tmp = await tempDir();
    try {
      const child = startCtvs([
        "--config",
        await config(tmp.dir, "any-bucket"),
        "--pid-file",
        path.join(tmp.dir, "pid"),
      ], {
        env: NO_AWS,
      });
      const { code } = await child.exited;
      assert.equal(code, 1);
      assert.deepEqual(child.stderr.filter(Boolean), [
        "config error: upload.bucket is set but no AWS credential source is available; " +
        "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or run with an ECS task role.",
        credentialsHint(undefined),
      ]);
    } finally {
      await tmp.remove();
    }
  });

  it("killed mid-run and restarted: every day is in the bucket once, never uploaded twice", async () => {
    const tmp = await tempDir();
    try {
      const bucket = await s3.bucket();
      const root = path.join(tmp.dir, "data");
      const dates = Array.from({ length: 30 }, (_, i) => day(30 - i));
      for (const date of dates) await writeRows(root, "gw", "logs", date, 50);
      const file = await config(tmp.dir, bucket);
      const args = ["--config", file, "--pid-file", path.join(tmp.dir, "pid")];
      const first = startCtvs(args, { env: s3.env });
      await first.waitFor(new RegExp(`^Uploader scheduled for 03:30 UTC, target s3://${bucket}/arch$`));
      await first.waitFor(/^\[collectivus\] uploaded /, 60_000);
      first.kill("SIGKILL");
      await first.exited;
      const uploadedFirst = first.stderr.filter((l) => l.startsWith("[collectivus] uploaded "));
      assert.ok(uploadedFirst.length < dates.length, "killed before the tick was done");

      const second = startCtvs(args, { env: s3.env });
      await second.waitFor(/^\[collectivus\] upload tick: /, 120_000);
      const uploadedSecond = second.stderr.filter((l) => l.startsWith("[collectivus] uploaded "));
      const key = (line: string) => line.split(" ")[2];
      const firstKeys = new Set(uploadedFirst.map(key));
      assert.deepEqual(uploadedSecond.map(key).filter((k) => firstKeys.has(k)), [], "nothing uploaded twice");
      const keys = dates.map((d) => `arch/gw/logs/date=${d}/data.parquet`);
      assert.deepEqual((await s3.client().list(bucket, "")).objects.map((o) => o.key), keys);
      assert.deepEqual((await ledgerLines(root)).map((e) => e.key), keys);
      assert.match(second.stderr.find((l) => l.startsWith("[collectivus] upload tick: "))!, / 0 failed$/);
      second.kill("SIGTERM");
      assert.equal((await second.exited).code, 0);
    } finally {
      await tmp.remove();
    }
  });
});
