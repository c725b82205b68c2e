/**
 * One upload tick: for each job, the ledger, then a HEAD, then Parquet and a PUT, then a ledger line. One job's
 * failure is logged and counted, and the next job runs; the tick asks for a fast retry when any job failed.
 *
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { S3Client } from "../s3/s3_client.ts";
import { uploadFile } from "../s3/upload_file.ts";
import { discoverJobs, type UploadJob } from "./jobs.ts";
import { Ledger, ledgerId } from "./ledger.ts";
import { objectKey, type UploadSettings } from "./upload_settings.ts";

/** Builds one job's Parquet file at `output`; `{rows: 0}` means there was nothing to write. */
export type ParquetWriter = (root: string, job: UploadJob, output: string) => Promise<{ rows: number; bytes: number }>;

/** What happened to one job. */
export type JobOutcome =
  | { kind: "uploaded"; key: string; rows: number; bytes: number }
  | { kind: "committed" | "present" | "empty"; key: string }
  | { kind: "failed"; key: string; error: unknown };

/** Everything one tick needs. */
export interface UploadTickOptions {
  /** The recording root (`sink.dir`); the ledger lives here too. */
  root: string;
  settings: UploadSettings;
  client: S3Client;
  writeParquet: ParquetWriter;
  /** The clock (default: now). */
  now?: Date;
  /** Multipart part size (default 8 MiB). */
  partSize?: number;
  /** Failure lines, `[collectivus] upload failed for ...`. */
  log(line: string): void;
  /** Called when a job starts and when it ends, for progress. */
  onJob?(job: UploadJob, index: number, total: number, outcome?: JobOutcome): void;
  /** Called with multipart progress of the current job. */
  onBytes?(sent: number, total: number): void;
  /** When it returns true, no further job starts (shutdown). */
  stopped?(): boolean;
}

/** A tick's totals. */
export interface UploadTickResult {
  jobs: number;
  uploaded: number;
  /** Skipped: in the ledger, or found by HEAD (then added to the ledger), or no rows. */
  skipped: number;
  failed: number;
  /** True when a job failed: the scheduler tries again in 15 minutes. */
  retry: boolean;
}

/** Runs every job due now; see the module doc. */
export async function runUploadTick(options: UploadTickOptions): Promise<UploadTickResult> {
  const { root, settings } = options;
  const jobs = await discoverJobs(root, {
    now: options.now ?? new Date(),
    catchupDays: settings.catchupDays,
    signals: settings.signals,
  });
  const ledger = new Ledger(root);
  const committed = await ledger.committed();
  const result: UploadTickResult = { jobs: jobs.length, uploaded: 0, skipped: 0, failed: 0, retry: false };
  for (const [index, job] of jobs.entries()) {
    if (options.stopped?.()) break;
    options.onJob?.(job, index, jobs.length);
    const outcome = await runJob(job, committed, ledger, options);
    options.onJob?.(job, index, jobs.length, outcome);
    if (outcome.kind === "uploaded") result.uploaded++;
    else if (outcome.kind === "failed") {
      result.failed++;
      const reason = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
      options.log(`[collectivus] upload failed for ${job.gatewayId}/${job.signal}/${job.date}: ${reason}`);
    } else result.skipped++;
  }
  result.retry = result.failed > 0;
  return result;
}

async function runJob(
  job: UploadJob,
  committed: Set<string>,
  ledger: Ledger,
  options: UploadTickOptions,
): Promise<JobOutcome> {
  const { settings, client } = options;
  const key = objectKey(settings.prefix, job.gatewayId, job.signal, job.date);
  if (committed.has(ledgerId(job.gatewayId, job.signal, job.date))) return { kind: "committed", key };
  const entry = { service: job.gatewayId, signal: job.signal, date: job.date, status: "committed" as const, key };
  try {
    // The object may be there without a ledger line: a crash between PUT and append, or another host's upload.
    const existing = await client.head(settings.bucket, key);
    if (existing) {
      await ledger.append({ ...entry, size: existing.size, rows: 0, committedAt: new Date().toISOString() });
      return { kind: "present", key };
    }
    const scratch = await mkdtemp(path.join(os.tmpdir(), "ctvs-upload-"));
    try {
      const file = path.join(scratch, "data.parquet");
      const written = await options.writeParquet(options.root, job, file);
      if (written.rows === 0) return { kind: "empty", key };
      await uploadFile(client, { bucket: settings.bucket, key, path: file }, {
        partSize: options.partSize,
        onProgress: options.onBytes,
      });
      await ledger.append({ ...entry, size: written.bytes, rows: written.rows, committedAt: new Date().toISOString() });
      return { kind: "uploaded", key, rows: written.rows, bytes: written.bytes };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  } catch (error) {
    return { kind: "failed", key, error };
  }
}
