/**
 * The archive upload benchmark against the real S3 server (scripts/s3_server.sh, Ceph radosgw on loopback): peak RSS
 * and MB/s of
 *  - a baseline single PUT of a 256 MiB object (the whole body in memory, as a PUT needs a length);
 *  - `uploadFile` of a 1 GiB file as an 8 MiB-part multipart upload (one part in memory at a time);
 *  - a whole upload tick of a 1 GB logs day: JSONL to zstd Parquet (DuckDB) and the multipart upload of it.
 * Issue 8's bar: a 1 GB day uploads with the process under 300 MB RSS. Each case runs in a child process of its own,
 * so its peak RSS (`VmHWM`) is its alone; the logs day is written by this process before the child starts. The cases run against a radosgw of their own (another state directory and
 * ports, an 8 GiB memstore), stopped at the end: the tests' shared server keeps its 4 GiB memstore for the tests.
 * The table's `rows` column counts MiB here, so `rows/s` is MiB/s and `vs baseline` compares throughput.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import process from "node:process";
import { writeArchiveParquet } from "../../query/archive_parquet.ts";
import { credentialProvider } from "../../storage/s3/credentials.ts";
import { S3Client } from "../../storage/s3/s3_client.ts";
import { uploadFile } from "../../storage/s3/upload_file.ts";
import { runUploadTick } from "../../storage/upload/run_uploads.ts";
import { uploadSettings } from "../../storage/upload/upload_settings.ts";
import type { BenchResult } from "./_table.ts";

const MIB = 2 ** 20;
const PUT_BYTES = 256 * MIB;
const FILE_BYTES = 1024 * MIB;
const DAY_BYTES = 1e9;
const CASES = {
  put: "single PUT, 256 MiB object",
  multipart: "uploadFile, 1 GiB file, 8 MiB parts",
  tick: "upload tick, 1 GB logs day: JSONL -> zstd Parquet -> multipart",
} as const;
type CaseName = keyof typeof CASES;

/** What a child reports. */
interface ChildResult {
  rows: number;
  bytes: number;
  seconds: number;
  peakRssBytes: number;
}

function peakRss(): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) * 1024;
}

/** Writes `bytes` of random data to `file`, 8 MiB at a time. */
async function randomFile(file: string, bytes: number): Promise<void> {
  const handle = await open(file, "w");
  try {
    for (let done = 0; done < bytes; done += 8 * MIB) await handle.write(randomBytes(Math.min(8 * MIB, bytes - done)));
  } finally {
    await handle.close();
  }
}

/** Writes a logs day of about `bytes` (rows with random hex bodies, so Parquet stays large); returns the rows. */
async function logsDay(file: string, bytes: number): Promise<number> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, "w");
  let rows = 0;
  try {
    for (let written = 0; written < bytes;) {
      let chunk = "";
      for (let i = 0; i < 2000; i++, rows++) {
        chunk += JSON.stringify({
          serviceName: "bench",
          timestamp: new Date(Date.UTC(2025, 2, 1) + rows).toISOString(),
          severityText: "INFO",
          body: randomBytes(200).toString("hex"),
          attributes: { "session.id": `s-${rows % 97}`, seq: rows },
        }) + "\n";
      }
      await handle.write(chunk);
      written += Buffer.byteLength(chunk);
    }
  } finally {
    await handle.close();
  }
  return rows;
}

/** The UTC date before today: the latest day a tick uploads. */
function yesterday(): string {
  return new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
}

/** One case, in this (child) process: prepares its input outside the timing, then times the upload. */
async function child(name: CaseName, endpoint: string, bucket: string, dir: string): Promise<ChildResult> {
  const client = new S3Client({ endpoint, credentials: credentialProvider(process.env) });
  if (name === "put") {
    const file = path.join(dir, "put.bin");
    await randomFile(file, PUT_BYTES);
    const start = performance.now();
    await client.put(bucket, "bench/put.bin", await readFile(file));
    return {
      rows: PUT_BYTES / MIB,
      bytes: PUT_BYTES,
      seconds: (performance.now() - start) / 1000,
      peakRssBytes: peakRss(),
    };
  }
  if (name === "multipart") {
    const file = path.join(dir, "multipart.bin");
    await randomFile(file, FILE_BYTES);
    const start = performance.now();
    const { parts } = await uploadFile(client, { bucket, key: "bench/multipart.bin", path: file });
    if (parts !== FILE_BYTES / (8 * MIB)) throw new Error(`the file went up in ${parts} parts`);
    return {
      rows: FILE_BYTES / MIB,
      bytes: FILE_BYTES,
      seconds: (performance.now() - start) / 1000,
      peakRssBytes: peakRss(),
    };
  }
  const root = path.join(dir, "root");
  const [file] = await readdir(path.join(root, "gw", "logs"));
  const bytes = (await stat(path.join(root, "gw", "logs", file))).size;
  const start = performance.now();
  const result = await runUploadTick({
    root,
    settings: uploadSettings({ bucket, prefix: "bench", catchupDays: 2 }, {}),
    client,
    writeParquet: writeArchiveParquet,
    log: (line) => console.error(line),
  });
  if (result.uploaded !== 1) throw new Error(`the tick uploaded ${result.uploaded} objects`);
  return { rows: Math.round(bytes / MIB), bytes, seconds: (performance.now() - start) / 1000, peakRssBytes: peakRss() };
}

/** Runs one case in a child process. */
function runChild(name: CaseName, endpoint: string, bucket: string, env: Record<string, string>, dir: string) {
  return new Promise<ChildResult>((resolve, reject) => {
    const args = ["run", "--allow-all", new URL(import.meta.url).pathname, "--child", name, endpoint, bucket, dir];
    const proc = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (chunk) => out += chunk);
    proc.on("error", reject);
    proc.on("close", (code) => {
      if (code === 0) resolve(JSON.parse(out));
      else reject(new Error(`bench upload ${name} exited ${code}`));
    });
  });
}

/** The benchmark's own radosgw (scripts/s3_server.sh with another state directory and ports). */
const SERVER_ENV = {
  CTVS_S3_STATE: path.join(tmpdir(), `ctvs-s3-bench-${process.getuid?.() ?? 0}`),
  CTVS_S3_PORT: "7490",
  CTVS_S3_MON_PORT: "6809",
  CTVS_S3_MEMSTORE_BYTES: String(8 * 1024 * MIB),
};

/** Runs `scripts/s3_server.sh <command>` for the benchmark's server; resolves with its stdout. */
function s3Server(command: "start" | "stop"): Promise<string> {
  const script = new URL("../s3_server.sh", import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    const proc = spawn("bash", [script, command], {
      env: { ...process.env, ...SERVER_ENV },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (chunk) => out += chunk);
    proc.on("error", reject);
    proc.on("close", (code) => code === 0 ? resolve(out) : reject(new Error(`s3_server.sh ${command} exited ${code}`)));
  });
}

/** Runs every case; see the module doc. */
export async function run(): Promise<BenchResult[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "ctvs-bench-upload-"));
  const results: BenchResult[] = [];
  try {
    const vars = Object.fromEntries(
      [...(await s3Server("start")).matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]),
    );
    const env = { AWS_ACCESS_KEY_ID: vars.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: vars.AWS_SECRET_ACCESS_KEY };
    const endpoint = vars.CTVS_S3_ENDPOINT;
    const bucket = "ctvs-bench";
    await new S3Client({ endpoint, credentials: credentialProvider(env) }).createBucket(bucket);
    for (const name of Object.keys(CASES) as CaseName[]) {
      // The day is written here, not in the child: a generator's garbage would count in the tick's peak RSS.
      if (name === "tick") await logsDay(path.join(dir, "root", "gw", "logs", `${yesterday()}.jsonl`), DAY_BYTES);
      const measured = await runChild(name, endpoint, bucket, env, dir);
      results.push({
        benchmark: "upload",
        case: CASES[name],
        ...measured,
        ...(name === "put" ? {} : { baseline: CASES.put }),
      });
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await s3Server("stop");
  }
  return results;
}

if (import.meta.main && process.argv[2] === "--child") {
  const [, , , name, endpoint, bucket, dir] = process.argv;
  console.log(JSON.stringify(await child(name as CaseName, endpoint, bucket, dir)));
}
