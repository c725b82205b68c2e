/**
 * Downloading an object to a local file: the body is streamed to a staged temporary file (`stageFile`) and renamed
 * over `path`, so memory stays near one network chunk whatever the size, and `path` is never half-written. The file
 * is private (0600): archived recordings hold prompts.
 *
 * @module
 */
import fs from "node:fs/promises";
import { stageFile } from "../../platform/atomic_write.ts";
import type { S3Client } from "./s3_client.ts";
import { withRetry } from "./retry.ts";

/**
 * Writes `bucket/key` to `target` (its directory is created); retried as a whole per the client's policy.
 *
 * @returns The bytes written.
 */
export async function downloadFile(client: S3Client, bucket: string, key: string, target: string): Promise<number> {
  const staged = await stageFile(target);
  try {
    const bytes = await withRetry(async () => {
      const response = await client.send({ method: "GET", bucket, key }, [200]);
      const file = await fs.open(staged.path, "w");
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
    await staged.commit();
    return bytes;
  } finally {
    await staged.discard();
  }
}
