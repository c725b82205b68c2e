/**
 * Downloading an object to a local file: the body is streamed to `<path>.<token>.tmp` and renamed, so memory stays
 * near one network chunk whatever the size, and `path` is never half-written.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import type { S3Client } from "./s3_client.ts";
import { withRetry } from "./retry.ts";

/**
 * Writes `bucket/key` to `target` (its directory is created); retried as a whole per the client's policy.
 *
 * @returns The bytes written.
 */
export async function downloadFile(client: S3Client, bucket: string, key: string, target: string): Promise<number> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  try {
    const bytes = await withRetry(async () => {
      const response = await client.send({ method: "GET", bucket, key }, [200]);
      const file = await fs.open(tmp, "w");
      let written = 0;
      try {
        for await (const chunk of response.body ?? []) {
          await file.write(chunk);
          written += chunk.length;
        }
      } finally {
        await file.close();
      }
      return written;
    }, client.retry);
    await fs.rename(tmp, target);
    return bytes;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}
