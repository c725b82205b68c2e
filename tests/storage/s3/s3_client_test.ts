import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { Buffer } from "node:buffer";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { S3Error } from "../../../storage/s3/s3_error.ts";
import { uploadFile } from "../../../storage/s3/upload_file.ts";
import { tempDir } from "../../helpers/child.ts";
import { type S3Server, startS3 } from "../../helpers/s3_server.ts";

describe("S3Client against radosgw", () => {
  let s3: S3Server;
  let bucket: string;
  before(async () => {
    s3 = await startS3();
    bucket = await s3.bucket();
  });
  after(async () => await s3?.stop());

  it("put, head, get and list round-trip exact bytes; head of a missing key is undefined", async () => {
    const client = s3.client();
    const body = new TextEncoder().encode("hello, archive\n");
    const key = "collectivus/gw-1/logs/date=2026-05-12/data.parquet";
    await client.put(bucket, key, body);
    assert.deepEqual(await client.head(bucket, key), { size: body.length });
    assert.deepEqual(await client.get(bucket, key), body);
    assert.equal(await client.head(bucket, "collectivus/gw-1/logs/date=2026-05-13/data.parquet"), undefined);
    await client.put(bucket, "collectivus/gw-1/traces/date=2026-05-12/data.parquet", body);
    await client.put(bucket, "collectivus/gw-2/logs/date=2026-05-12/data.parquet", body);
    const listed = await client.list(bucket, "collectivus/gw-1/");
    assert.deepEqual(listed.objects.map((o) => o.key), [key, "collectivus/gw-1/traces/date=2026-05-12/data.parquet"]);
    const grouped = await client.list(bucket, "collectivus/", "/");
    assert.deepEqual(grouped.prefixes, ["collectivus/gw-1/", "collectivus/gw-2/"]);
  });

  it("keys with spaces and reserved characters are signed and stored as given", async () => {
    const client = s3.client();
    const key = "odd/a b+c=(d)!'*/data.parquet";
    await client.put(bucket, key, new Uint8Array([1, 2, 3]));
    assert.deepEqual(await client.get(bucket, key), new Uint8Array([1, 2, 3]));
    assert.deepEqual((await client.list(bucket, "odd/")).objects, [{ key, size: 3 }]);
  });

  it("list follows continuation tokens past one page", async () => {
    const client = s3.client();
    const many = await s3.bucket("ctvs-many");
    const keys = Array.from({ length: 1005 }, (_, i) => `k/${String(i).padStart(4, "0")}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((k) => client.put(many, k, new Uint8Array([1]))));
    }
    assert.deepEqual((await client.list(many, "k/")).objects.map((o) => o.key), keys);
  });

  it("a wrong secret is a clear, permanent 403 error, tried once", async () => {
    const client = s3.client({ secretAccessKey: "wrong-secret-wrong-secret-wrong-secret00" });
    const started = Date.now();
    const error = await client.put(bucket, "x/data.parquet", new Uint8Array([1])).catch((e) => e);
    assert.ok(error instanceof S3Error);
    assert.equal(error.statusCode, 403);
    assert.equal(error.retryable, false);
    assert.match(error.message, /^s3 PUT [a-z0-9-]+\/x\/data\.parquet returned 403: .*SignatureDoesNotMatch/);
    assert.ok(Date.now() - started < 2000);
    assert.equal(await s3.client().head(bucket, "x/data.parquet"), undefined);
  });

  it("a refused connection is a transient network error, retried 3 times", async () => {
    let calls = 0;
    const { S3Client } = await import("../../../storage/s3/s3_client.ts");
    const client = new S3Client({
      endpoint: "http://127.0.0.1:1",
      credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "s" }),
      retry: { attempts: 3, baseDelayMs: 5 },
      fetchFn: (input, init) => {
        calls++;
        return fetch(input, init);
      },
    });
    const error = await client.head("b", "k").catch((e) => e);
    assert.ok(error instanceof S3Error);
    assert.equal(error.statusCode, undefined);
    assert.equal(error.retryable, true);
    assert.match(error.message, /^s3 HEAD b\/k failed: /);
    assert.equal(calls, 3);
  });

  it("uploadFile sends a file larger than a part as a multipart upload with the same bytes", async () => {
    const tmp = await tempDir();
    try {
      const file = path.join(tmp.dir, "big.bin");
      const bytes = randomBytes(12 * 1024 * 1024 + 123);
      await writeFile(file, bytes);
      const progress: number[] = [];
      const client = s3.client();
      const key = "big/date=2026-05-12/data.parquet";
      const result = await uploadFile(client, { bucket, key, path: file }, {
        partSize: 5 * 1024 * 1024,
        onProgress: (sent) => progress.push(sent),
      });
      assert.deepEqual(result, { bytes: bytes.length, parts: 3 });
      assert.deepEqual(progress, [5 * 1024 * 1024, 10 * 1024 * 1024, bytes.length]);
      assert.deepEqual(await client.head(bucket, key), { size: bytes.length });
      assert.ok(Buffer.from(await client.get(bucket, key)).equals(bytes));
      const small = path.join(tmp.dir, "small.bin");
      await writeFile(small, "tiny");
      assert.deepEqual(await uploadFile(client, { bucket, key: "small", path: small }), { bytes: 4, parts: 1 });
    } finally {
      await tmp.remove();
    }
  });
});
