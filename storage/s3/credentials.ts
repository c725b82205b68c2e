/**
 * AWS credentials: from the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), or
 * from the ECS container endpoint (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `..._FULL_URI`, with
 * `AWS_CONTAINER_AUTHORIZATION_TOKEN` or `..._TOKEN_FILE`). Environment keys win when both are present.
 *
 * @module
 */
import fs from "node:fs/promises";

/** One set of keys to sign with. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials stop working; absent for long-lived keys. */
  expiration?: Date;
}

/** Where credentials come from; undefined when there is no source at all. */
export type CredentialSource = "env" | "ecs";

/** The environment variables credentials are read from. */
export type CredentialEnv = Readonly<Record<string, string | undefined>>;

/** The ECS task metadata endpoint that relative URIs are resolved against. */
export const ECS_HOST = "http://169.254.170.2";

/** How long before expiry temporary credentials are fetched again. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Which source `env` provides, without contacting anything: the daemon's start-up pre-flight.
 *
 * @param env The environment to read.
 * @returns `env`, `ecs`, or undefined when no source is configured.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { credentialSource } from "./credentials.ts";
 * assert.deepEqual(credentialSource({ AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "s" }), "env");
 * assert.deepEqual(credentialSource({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/x" }), "ecs");
 * assert.deepEqual(credentialSource({}), undefined);
 * ```
 */
export function credentialSource(env: CredentialEnv): CredentialSource | undefined {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return "env";
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return "ecs";
  return undefined;
}

/** The reference's pre-flight message when `upload` is set and no source exists. */
export const NO_CREDENTIALS_MESSAGE = "upload.bucket is set but no AWS credential source is available; " +
  "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or run with an ECS task role.";

/** Resolves credentials on demand, caching temporary ones until shortly before they expire. */
export type CredentialProvider = () => Promise<Credentials>;

/**
 * A provider over `env`; ECS credentials are fetched with `fetchFn` on first use and again near expiry.
 *
 * @param env The environment, read once now.
 * @param options `fetchFn` for the ECS endpoint (tests inject one), `now` for the clock.
 * @returns The provider; it rejects when there is no source or the endpoint fails.
 */
export function credentialProvider(
  env: CredentialEnv,
  options: { fetchFn?: typeof fetch; now?: () => number } = {},
): CredentialProvider {
  const source = credentialSource(env);
  if (source === "env") {
    const fixed: Credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID!,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
    return () => Promise.resolve(fixed);
  }
  if (source === undefined) {
    return () => Promise.reject(new Error(`Cannot sign S3 requests: ${NO_CREDENTIALS_MESSAGE}`));
  }
  const fetchFn = options.fetchFn ?? fetch;
  const now = options.now ?? Date.now;
  let cached: Credentials | undefined;
  return async () => {
    if (cached && (!cached.expiration || cached.expiration.getTime() - REFRESH_MARGIN_MS > now())) return cached;
    cached = await fetchEcsCredentials(env, fetchFn);
    return cached;
  };
}

/** One call to the container credentials endpoint. */
async function fetchEcsCredentials(env: CredentialEnv, fetchFn: typeof fetch): Promise<Credentials> {
  const url = env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
    ? `${ECS_HOST}${env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI}`
    : env.AWS_CONTAINER_CREDENTIALS_FULL_URI!;
  const headers: Record<string, string> = {};
  const token = env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
    ? (await fs.readFile(env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, "utf8")).trim()
    : env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
  if (token) headers.authorization = token;
  let response: Response;
  try {
    response = await fetchFn(url, { headers, signal: AbortSignal.timeout(5000) });
  } catch (error) {
    throw new Error(`Cannot fetch container credentials from ${url}: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`Cannot fetch container credentials from ${url}: HTTP ${response.status} ${text}`);
  const body = JSON.parse(text) as Record<string, string | undefined>;
  if (!body.AccessKeyId || !body.SecretAccessKey) {
    throw new Error(`Cannot use container credentials from ${url}: AccessKeyId or SecretAccessKey missing`);
  }
  return {
    accessKeyId: body.AccessKeyId,
    secretAccessKey: body.SecretAccessKey,
    ...(body.Token ? { sessionToken: body.Token } : {}),
    ...(body.Expiration ? { expiration: new Date(body.Expiration) } : {}),
  };
}
