/**
 * `ctvs invite create | list | revoke`: join codes for new fleet hosts, through the Central server's admin API
 * (reference §2.7). Credentials come from the flags, then `COLLECTIVUS_ADMIN_URL` / `COLLECTIVUS_ADMIN_TOKEN`, then
 * `~/.hyp/collectivus/admin.json` (`ctvs admin configure`).
 *
 * @module
 */
import { isHttpUrl } from "../platform/config/_checks.ts";
import { adminCredentialsPath, resolveAdminCredentials } from "../platform/admin_credentials.ts";
import { currentHost, type Host } from "../platform/daemon/host.ts";
import { escapeControlCharacters } from "../platform/escape_control.ts";
import { errorMessage } from "../platform/runtime.ts";
import { retryAfterSeconds } from "../server/failed_response.ts";
import type { Command } from "./command.ts";
import { parseDuration } from "./duration.ts";
import type { Io } from "./io.ts";
import { parseFlags, wholeNumberFlag } from "./parse_flags.ts";
import { UsageError } from "./usage_error.ts";

const USAGE = `Usage: ctvs invite create [--gateway-prefix <id>] [--max-uses <n>] [--expires-in <30m|24h|14d>]
                          [--display-name <name>] [--json]
       ctvs invite list [--json]
       ctvs invite revoke <join-code>

Creates a join code a new host uses to join the fleet: \`npx collectivus join <code> --rendezvous <url>\`
(or \`--central <url>\` when Central registers its invites at no rendezvous service). Each use of the code
makes one gateway: <gateway-prefix> for a code with one use, <gateway-prefix>-1, -2, ... for one with several.
Without --gateway-prefix, Central picks a fresh one (server.enrollment.gateway_prefix, default "gw", and a
random suffix). A config registered under the prefix (\`ctvs config set <prefix> --file ...\`) is what each new
gateway gets; else it records OTLP and the LLM proxy on loopback.

Options:
  --gateway-prefix <id>     the gateway id (or the prefix of the ids) the code makes
  --max-uses <n>            how many hosts may use the code (default 1, at most 1000)
  --expires-in <duration>   how long the code lives: <n>s, m, h, d or w (default 24h, at most 30d)
  --ttl-seconds <n>         the same in seconds
  --display-name <name>     a name shown to the joining host
  --json                    print the admin API's answer as JSON
  --admin-url <url>         the Central server (else COLLECTIVUS_ADMIN_URL, else ctvs admin configure)
  --admin-token <token>     its admin token (else COLLECTIVUS_ADMIN_TOKEN, else ctvs admin configure)
  -h, --help                show this help

"list" shows the invites Central holds (codes are not kept, so they cannot be shown again);
"revoke" stops a code from being used and withdraws it from the rendezvous service.
Exit codes: 0 ok, 1 failure, 2 usage error.`;

const FLAGS = {
  "gateway-prefix": { type: "string", requires: "--gateway-prefix requires a gateway id" },
  "max-uses": { type: "string", requires: "--max-uses requires a number" },
  "expires-in": { type: "string", requires: "--expires-in requires a duration such as 30m, 24h or 14d" },
  "ttl-seconds": { type: "string", requires: "--ttl-seconds requires a number of seconds" },
  "display-name": { type: "string", requires: "--display-name requires a name" },
  "admin-url": { type: "string", requires: "--admin-url requires a URL" },
  "admin-token": { type: "string", requires: "--admin-token requires a token" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Flags of the original's AWS-hosted invite backend, which is gone. */
const LEGACY_FLAGS = ["--aws-stack", "--function-name", "--region", "--profile"];

/** How long a request to Central may take. */
const TIMEOUT_MS = 30_000;

/** An answer from the admin API. */
interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** Runs `ctvs invite` against `host`. */
export async function runInvite(argv: string[], io: Io, host: Host, fetchFn: typeof fetch = fetch): Promise<number> {
  const legacy = argv.find((a) => LEGACY_FLAGS.includes(a.split("=")[0]));
  if (legacy) {
    throw new UsageError(
      `${legacy.split("=")[0]} belongs to the old AWS invite backend, which is gone: invites are now made by the ` +
        "Central server's admin API. Run `ctvs admin configure --central <url> --admin-token <token>` once, then " +
        "`ctvs invite create`",
      USAGE,
    );
  }
  const { values, positionals } = parseFlags(argv, FLAGS, USAGE, { maxPositionals: 2 });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const [action, code] = positionals;
  if (action === undefined) throw new UsageError("missing subcommand: create, list or revoke", USAGE);
  if (!["create", "list", "revoke"].includes(action)) throw new UsageError(`unknown subcommand: ${action}`, USAGE);
  if (action !== "revoke" && code !== undefined) throw new UsageError(`unknown argument: ${code}`, USAGE);
  if (action === "revoke" && code === undefined) throw new UsageError("ctvs invite revoke requires a join code", USAGE);
  const body = action === "create" ? createBody(values) : undefined;

  const file = adminCredentialsPath(host.home);
  const credentials = await resolveAdminCredentials(
    { url: values["admin-url"] as string | undefined, token: values["admin-token"] as string | undefined },
    host.env,
    file,
  );
  const url = credentials.central_url?.replace(/\/+$/, "");
  const token = credentials.admin_token;
  if (!url || !token) {
    io.err(
      `error: no Central admin ${!url ? "URL" : "token"}: pass --admin-${!url ? "url" : "token"}, set ` +
        `COLLECTIVUS_ADMIN_${!url ? "URL" : "TOKEN"}, or run \`ctvs admin configure --central <url> ` +
        "--admin-token <token>` once",
    );
    return 1;
  }
  if (!isHttpUrl(url)) throw new UsageError(`the admin URL must be an http(s) URL (got "${url}")`, USAGE);

  const call = (method: string, path: string, payload?: unknown) =>
    adminCall(fetchFn, url, token, method, path, payload);
  let answer: Answer;
  try {
    answer = action === "create"
      ? await call("POST", "/v1/admin/invites", body)
      : action === "list"
      ? await call("GET", "/v1/admin/invites")
      : await call("POST", "/v1/admin/invites/revoke", { joinCode: code });
  } catch (error) {
    io.err(`error: ${errorMessage(error)}; check the URL with \`ctvs admin status\``);
    return 1;
  }
  if (answer.status !== 200) {
    io.err(`error: ${failure(answer, url)}`);
    return 1;
  }
  if (values.json) {
    io.out(JSON.stringify(action === "list" ? answer.body.invites : answer.body, null, 2));
    return 0;
  }
  if (action === "create") renderCreated(answer.body, io);
  else if (action === "list") renderList(answer.body.invites as Record<string, unknown>[], io);
  else io.out(`✓ Revoked join code ${code} (rendezvous: ${answer.body.rendezvous})`);
  return 0;
}

/** The POST body of `create`, from the flags. */
function createBody(values: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (values["gateway-prefix"] !== undefined) body.gatewayPrefix = values["gateway-prefix"];
  if (values["max-uses"] !== undefined) {
    body.maxUses = wholeNumberFlag(values["max-uses"] as string, "--max-uses", USAGE);
  }
  if (values["expires-in"] !== undefined && values["ttl-seconds"] !== undefined) {
    throw new UsageError("--expires-in and --ttl-seconds are mutually exclusive", USAGE);
  }
  if (values["expires-in"] !== undefined) body.ttlSeconds = durationSeconds(values["expires-in"] as string);
  if (values["ttl-seconds"] !== undefined) {
    body.ttlSeconds = wholeNumberFlag(values["ttl-seconds"] as string, "--ttl-seconds", USAGE);
  }
  if (values["display-name"] !== undefined) body.displayName = values["display-name"];
  return body;
}

/**
 * Seconds of a duration such as `30m`, `24h`, `14d`, `2w` or `90s`. Throws a {@link UsageError} otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(durationSeconds("30m"), 1800);
 * assert.equal(durationSeconds("14d"), 1209600);
 * assert.throws(() => durationSeconds("2 days"), /--expires-in/);
 * ```
 */
export function durationSeconds(text: string): number {
  // Whole seconds: the units of parseDuration but milliseconds.
  const ms = /^\s*\d+[smhdw]\s*$/.test(text) ? parseDuration(text) : undefined;
  if (ms === undefined) {
    throw new UsageError(
      `--expires-in must be a number and a unit: s, m, h, d or w (e.g. 30m, 14d); got "${text}"`,
      USAGE,
    );
  }
  return ms / 1000;
}

/** One admin API request; rejects only when Central cannot be reached. */
async function adminCall(
  fetchFn: typeof fetch,
  url: string,
  token: string,
  method: string,
  path: string,
  payload?: unknown,
): Promise<Answer> {
  let response: Response;
  try {
    response = await fetchFn(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(payload !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: payload !== undefined ? JSON.stringify(payload) : undefined,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : errorMessage(error);
    throw new Error(`cannot reach the Central server at ${url}: ${cause}`);
  }
  if (response.status === 200) return { status: 200, body: await response.json() };
  if (response.status === 429) {
    const retry = Math.ceil(retryAfterSeconds(response.headers.get("retry-after"), 60));
    await response.body?.cancel();
    return { status: 429, body: { retry_after_seconds: retry } };
  }
  const text = await response.text().catch(() => "");
  let error: unknown;
  try {
    error = JSON.parse(text)?.error;
  } catch {
    // Not JSON (a proxy's error page): its start.
  }
  const detail = escapeControlCharacters(typeof error === "string" ? error : text.slice(0, 200));
  return { status: response.status, body: { error: detail } };
}

/** What a refusal means for the operator. */
function failure(answer: Answer, url: string): string {
  switch (answer.status) {
    case 401:
      return "unauthorized: check `ctvs admin status` and the COLLECTIVUS_ADMIN_TOKEN env var";
    case 429:
      return `rate limited; retry in ${answer.body.retry_after_seconds} seconds`;
    case 404:
      return answer.body.error === "unknown join code"
        ? "Central holds no invite with this join code (expired long ago, revoked, or mistyped)"
        : `${url} has no admin API: set server.admin (and server.public_url) in the Central server's config`;
    case 502:
      return `${answer.body.error}; check the rendezvous service and ` +
        "server.rendezvous (url, registration_token) in Central's config";
    default:
      return `${answer.status} ${answer.body.error}`;
  }
}

function renderCreated(body: Record<string, unknown>, io: Io): void {
  const uses = body.maxUses as number;
  const prefix = body.gatewayPrefix as string;
  io.out(`Join code:   ${body.joinCode}`);
  io.out(`Expires at:  ${body.expiresAt}`);
  io.out(`Max uses:    ${uses}`);
  io.out(`Gateway:     ${uses > 1 ? `${prefix}-1 … ${prefix}-${uses}` : prefix}`);
  if (body.displayName !== undefined) io.out(`Name:        ${body.displayName}`);
  io.out(`Rendezvous:  ${body.rendezvousUrl ?? `none (the command names Central: ${body.centralUrl})`}`);
  io.out("Share this command:");
  io.out(`  ${body.command}`);
  const installed = String(body.command).replace(/^npx collectivus /, "ctvs ");
  if (installed !== body.command) io.out(`  (or, where ctvs is installed: ${installed})`);
  if (body.rendezvousUrl) {
    io.out(`To have the new host check it reaches this Central server, add: --expect-central ${body.centralUrl}`);
  }
}

function renderList(invites: Record<string, unknown>[], io: Io): void {
  if (invites.length === 0) {
    io.out("No invites.");
    return;
  }
  const rows = invites.map((i) => [
    String(i.gatewayPrefix),
    `${i.usedCount}/${i.maxUses}`,
    String(i.expiresAt),
    String(i.createdAt),
    String(i.displayName ?? ""),
  ]);
  const header = ["GATEWAY", "USED", "EXPIRES", "CREATED", "NAME"];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  for (const row of [header, ...rows]) io.out(row.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd());
}

/** The `ctvs invite` command. */
export const inviteCommand: Command = {
  name: "invite",
  summary: "create, list or revoke join codes for new fleet hosts (Central's admin API)",
  run: (argv, io) => runInvite(argv, io, currentHost()),
};
