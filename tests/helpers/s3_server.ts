/**
 * The real S3 server (Ceph radosgw on loopback) for the archive tests. A test file calls `startS3()` once and
 * `stop()` at the end; files running in parallel share one server through leases (scripts/s3_server.sh). When the
 * server cannot be installed or started, the test fails with how to start it by hand: S3 tests never skip.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import process from "node:process";
import { credentialProvider } from "../../storage/s3/credentials.ts";
import { S3Client } from "../../storage/s3/s3_client.ts";
import { ROOT } from "./child.ts";

/** A running server and what a client needs to reach it. */
export interface S3Server {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The env a child `ctvs` needs to sign requests. */
  env: Record<string, string>;
  /** A client with the test user's keys and fast retries. */
  client(options?: { secretAccessKey?: string }): S3Client;
  /** Creates a fresh, uniquely named bucket. */
  bucket(prefix?: string): Promise<string>;
  /** Drops this file's lease; the last one stops the server. */
  stop(): Promise<void>;
}

const SCRIPT = path.join(ROOT, "scripts", "s3_server.sh");

/** Starts (or joins) the server; throws a loud, actionable error when it cannot. */
export async function startS3(): Promise<S3Server> {
  const lease = `test-${process.pid}-${randomBytes(4).toString("hex")}`;
  const { code, stdout, stderr } = await run(["start"], lease);
  const vars = Object.fromEntries([...stdout.matchAll(/^export (\w+)=(.*)$/gm)].map(([, k, v]) => [k, v]));
  if (code !== 0 || !vars.CTVS_S3_ENDPOINT) {
    throw new Error(
      `The S3 tests need a real S3 server (Ceph radosgw), and it could not be started (exit ${code}).\n` +
        `Start it locally with: scripts/s3_server.sh start   (needs apt-get and root or sudo; stop: scripts/s3_server.sh stop)\n` +
        `--- stdout\n${stdout}\n--- stderr\n${stderr}`,
    );
  }
  const server: S3Server = {
    endpoint: vars.CTVS_S3_ENDPOINT,
    region: vars.AWS_REGION,
    accessKeyId: vars.AWS_ACCESS_KEY_ID,
    secretAccessKey: vars.AWS_SECRET_ACCESS_KEY,
    env: {
      AWS_ACCESS_KEY_ID: vars.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: vars.AWS_SECRET_ACCESS_KEY,
      AWS_REGION: vars.AWS_REGION,
    },
    client: (options = {}) =>
      new S3Client({
        endpoint: vars.CTVS_S3_ENDPOINT,
        region: vars.AWS_REGION,
        credentials: credentialProvider({
          AWS_ACCESS_KEY_ID: vars.AWS_ACCESS_KEY_ID,
          AWS_SECRET_ACCESS_KEY: options.secretAccessKey ?? vars.AWS_SECRET_ACCESS_KEY,
        }),
        retry: { attempts: 3, baseDelayMs: 20 },
      }),
    bucket: async (prefix = "ctvs-test") => {
      const name = `${prefix}-${randomBytes(5).toString("hex")}`;
      await server.client().createBucket(name);
      return name;
    },
    stop: async () => {
      await run(["stop"], lease);
    },
  };
  return server;
}

function run(args: string[], lease: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", [SCRIPT, ...args], {
      env: { ...process.env, CTVS_S3_LEASE: lease },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => stdout += chunk);
    child.stderr.on("data", (chunk) => stderr += chunk);
    child.on("error", (error) => resolve({ code: null, stdout, stderr: `${stderr}${error.message}` }));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
