/**
 * `ctvs upload --now`: one upload tick by hand, the same work the daemon's scheduler does (ledger, HEAD check,
 * Parquet, PUT), with a progress line on a terminal and one line per object otherwise.
 *
 * @module
 */
import process from "node:process";
import { loadConfig } from "../platform/config/load.ts";
import { useClaudeTranscripts } from "../query/transcripts.ts";
import { resolveSecrets } from "../platform/config/secrets.ts";
import { credentialSource, NO_CREDENTIALS_MESSAGE } from "../storage/s3/credentials.ts";
import type { JobOutcome } from "../storage/upload/run_uploads.ts";
import type { UploadJob } from "../storage/upload/jobs.ts";
import { checkUploadSupported } from "../storage/upload/upload_settings.ts";
import { createUploader } from "../server/upload/uploader.ts";
import { archiveParquetWriter } from "../query/archive_parquet.ts";
import type { Command } from "./command.ts";
import { CONFIG_FLAGS, CONFIG_FLAGS_HELP, configSourceFrom } from "./config_flags.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";
import { UsageError } from "./usage_error.ts";

const USAGE = `Usage: ctvs upload --now [config options]

Runs one upload tick now: every day before today (UTC) within upload.catchupDays, for each signal in
upload.signals (default: logs, traces, metrics, gascity_messages, gascity_events), is written as Parquet and
uploaded to
  s3://<bucket>/<prefix>/<gateway_id>/<dataset>/date=<YYYY-MM-DD>/data.parquet
unless the ledger (<sink.dir>/.upload-ledger.jsonl) or a HEAD request shows it is already there.

${CONFIG_FLAGS_HELP}

Options:
  --now                     run the tick (required; the daemon runs the daily schedule)
  -h, --help                show this help

Credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), or the ECS container endpoint.
Exit codes: 0 every job uploaded or skipped, 1 a job failed or config/credential error, 2 usage error.`;

const FLAGS = {
  ...CONFIG_FLAGS,
  now: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Runs `ctvs upload`; resolves with the exit code. */
export async function runUpload(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags(argv, FLAGS, USAGE);
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (!values.now) throw new UsageError("--now is required (the daemon runs the daily schedule)", USAGE);
  const loaded = await loadConfig(configSourceFrom(values, USAGE), { strict: values.strict === true });
  useClaudeTranscripts(loaded.config.query?.claude_transcripts_dir);
  for (const warning of loaded.warnings) io.err(warning);
  const config = resolveSecrets(loaded.config, process.env);
  if (!config.upload) {
    io.err("error: config has no upload block; nothing to upload");
    return 1;
  }
  checkUploadSupported(config.upload);
  if (!credentialSource(process.env)) {
    io.err(`config error: ${NO_CREDENTIALS_MESSAGE}`);
    return 1;
  }
  const uploader = createUploader(config, process.env, archiveParquetWriter(config));
  const progress = progressLine(io);
  const result = await uploader.tick({
    log: (line) => {
      progress.clear();
      io.err(line);
    },
    onJob: (job, index, total, outcome) => {
      if (!outcome) return progress.job(job, index, total);
      progress.clear();
      const line = describe(job, outcome, uploader.settings.bucket);
      if (line) io.out(line);
    },
    onBytes: (sent, total) => progress.bytes(sent, total),
  });
  progress.clear();
  if (result.jobs === 0) io.out(`No days to upload in ${uploader.root}.`);
  io.out(`Done. ${result.uploaded} uploaded, ${result.skipped} skipped, ${result.failed} failed.`);
  return result.failed > 0 ? 1 : 0;
}

/** One line per finished job; failures are logged by the tick itself. */
function describe(job: UploadJob, outcome: JobOutcome, bucket: string): string | undefined {
  const label = `${job.gatewayId}/${job.signal}/${job.date}`;
  switch (outcome.kind) {
    case "uploaded":
      return `uploaded s3://${bucket}/${outcome.key} (${outcome.rows} rows, ${outcome.bytes} bytes)`;
    case "committed":
      return `skip ${label}: in the ledger`;
    case "present":
      return `skip ${label}: already in the bucket (added to the ledger)`;
    case "empty":
      return `skip ${label}: 0 rows`;
    case "failed":
      return undefined;
  }
}

/** A single rewritten stderr line on a terminal; nothing when piped (long work stays quiet when piped). */
function progressLine(io: Io) {
  let shown = false;
  let label = "";
  const write = (text: string) => {
    if (!io.isTTY) return;
    process.stderr.write(`\r\x1b[2K${text}`);
    shown = true;
  };
  return {
    job(job: UploadJob, index: number, total: number) {
      label = `[${index + 1}/${total}] ${job.gatewayId}/${job.signal}/${job.date}`;
      write(label);
    },
    bytes(sent: number, total: number) {
      const mib = (n: number) => (n / 1048576).toFixed(1);
      write(`${label} ${mib(sent)}/${mib(total)} MiB`);
    },
    clear() {
      if (!shown) return;
      process.stderr.write("\r\x1b[2K");
      shown = false;
    },
  };
}

/** The `ctvs upload` command. */
export const uploadCommand: Command = {
  name: "upload",
  summary: "run one S3 archive upload tick now (--now)",
  run: runUpload,
};
