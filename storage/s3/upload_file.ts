/**
 * Uploading a local file: one PUT when it fits in a part, otherwise a multipart upload that reads one part at a
 * time, so memory stays near one part whatever the file size. A failed multipart upload is aborted, so no parts
 * linger in the bucket.
 *
 * @module
 */
import fs from "node:fs/promises";
import type { S3Client } from "./s3_client.ts";

/** S3's smallest allowed part (except the last). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** The default part size: a few of these in memory at most. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

/** Options for {@link uploadFile}. */
export interface UploadFileOptions {
  /** Bytes per part, and the largest file sent in one PUT (default 8 MiB; at least 5 MiB). */
  partSize?: number;
  /** Called after each part with the bytes sent so far. */
  onProgress?(sent: number, total: number): void;
}

/**
 * Uploads the file at `path` to `bucket/key` as `application/octet-stream`.
 *
 * @param client The S3 client.
 * @param target The bucket, key and local path.
 * @param options Part size and progress.
 * @returns The number of bytes uploaded and how many parts it took (1 for a single PUT).
 */
export async function uploadFile(
  client: S3Client,
  target: { bucket: string; key: string; path: string },
  options: UploadFileOptions = {},
): Promise<{ bytes: number; parts: number }> {
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  if (partSize < MIN_PART_SIZE) throw new RangeError(`Cannot use a part size of ${partSize}: S3 needs at least 5 MiB`);
  const { bucket, key, path } = target;
  const total = (await fs.stat(path)).size;
  if (total <= partSize) {
    await client.put(bucket, key, await fs.readFile(path));
    options.onProgress?.(total, total);
    return { bytes: total, parts: 1 };
  }
  const created = await client.request({ method: "POST", bucket, key, query: { uploads: "" } }, [200]);
  const uploadId = (await created.text()).match(/<UploadId>([^<]+)<\/UploadId>/)?.[1];
  if (!uploadId) throw new Error(`Cannot start a multipart upload of ${bucket}/${key}: no UploadId in the answer`);
  const file = await fs.open(path, "r");
  try {
    const etags: string[] = [];
    for (let offset = 0; offset < total; offset += partSize) {
      const body = new Uint8Array(Math.min(partSize, total - offset));
      await readFully(file, body, offset);
      const query = { partNumber: String(etags.length + 1), uploadId };
      const response = await client.request({ method: "PUT", bucket, key, query, body }, [200]);
      etags.push(response.headers.get("etag") ?? "");
      await response.body?.cancel();
      options.onProgress?.(offset + body.length, total);
    }
    const xml = `<CompleteMultipartUpload>${
      etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join("")
    }</CompleteMultipartUpload>`;
    const body = new TextEncoder().encode(xml);
    const done = await client.request({ method: "POST", bucket, key, query: { uploadId }, body }, [200]);
    // S3 can answer 200 and put an error in the body when completing takes long.
    const answer = await done.text();
    if (answer.includes("<Error>")) throw new Error(`Cannot complete the upload of ${bucket}/${key}: ${answer}`);
    return { bytes: total, parts: etags.length };
  } catch (error) {
    await client.send({ method: "DELETE", bucket, key, query: { uploadId } }, [204, 200, 404]).catch(() => {});
    throw error;
  } finally {
    await file.close();
  }
}

/** Fills `into` from `file` at `position` (a read may return fewer bytes than asked). */
async function readFully(file: fs.FileHandle, into: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await file.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new Error(`Cannot read part at ${position}: the file shrank`);
    done += bytesRead;
  }
}
