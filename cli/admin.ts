/**
 * `ctvs admin configure | status | clear`: the Central server's admin URL and token kept on an operator's machine
 * (`~/.hyp/collectivus/admin.json`, 0600), for the commands that call the admin API (`ctvs invite`).
 *
 * @module
 */
import { isHttpUrl } from "../platform/config/_checks.ts";
import {
  adminCredentialsPath,
  clearAdminCredentials,
  readAdminCredentials,
  redactToken,
  writeAdminCredentials,
} from "../platform/admin_credentials.ts";
import { currentHost, type Host } from "../platform/daemon/host.ts";
import { errorMessage } from "../platform/runtime.ts";
import type { Command } from "./command.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";
import { UsageError } from "./usage_error.ts";

const USAGE = `Usage: ctvs admin configure --central <url> [--admin-token <token>]
       ctvs admin status
       ctvs admin clear

Keeps the Central server's URL and admin token (server.admin.token on the server) in
~/.hyp/collectivus/admin.json (mode 0600), for the commands that call the admin API.
The token may come from COLLECTIVUS_ADMIN_TOKEN instead of --admin-token (keeps it out of shell history).
"status" shows them (the token redacted) and asks the server's /health whether it answers.`;

const FLAGS = {
  "central": { type: "string", requires: "--central requires a URL" },
  "admin-token": { type: "string", requires: "--admin-token requires a token" },
  "help": { type: "boolean", short: "h" },
} as const;

/** How long `status` waits for `/health`. */
const HEALTH_TIMEOUT_MS = 5000;

/** Runs `ctvs admin` against `host`. */
export async function runAdmin(argv: string[], io: Io, host: Host, fetchFn: typeof fetch = fetch): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, USAGE, { maxPositionals: 1 });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const file = adminCredentialsPath(host.home);
  switch (positionals[0]) {
    case "configure": {
      const url = values.central as string | undefined;
      const token = (values["admin-token"] as string | undefined) ?? (host.env.COLLECTIVUS_ADMIN_TOKEN || undefined);
      if (!url) throw new UsageError("ctvs admin configure requires --central <url>", USAGE);
      if (!isHttpUrl(url)) throw new UsageError(`--central must be an http(s) URL (got "${url}")`, USAGE);
      if (!token) {
        throw new UsageError("ctvs admin configure requires --admin-token <token> or COLLECTIVUS_ADMIN_TOKEN", USAGE);
      }
      await writeAdminCredentials(file, { central_url: url.replace(/\/+$/, ""), admin_token: token });
      io.out(`✓ Saved admin credentials for ${url.replace(/\/+$/, "")} in ${file}`);
      if (token.length < 32) {
        io.err("warning: the token is shorter than 32 characters; Central refuses such admin tokens");
      }
      return 0;
    }
    case "status": {
      const saved = await readAdminCredentials(file);
      if (!saved) {
        io.err(
          `error: no admin credentials in ${file}; run: ctvs admin configure --central <url> --admin-token <token>`,
        );
        return 1;
      }
      io.out(`Central:     ${saved.central_url}`);
      io.out(`Admin token: ${redactToken(saved.admin_token)}`);
      io.out(`File:        ${file}`);
      try {
        const response = await fetchFn(`${saved.central_url}/health`, {
          signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
        });
        const body = await response.json().catch(() => ({}));
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        io.out(`Health:      ok (collectivus ${body.version ?? "unknown version"})`);
        return 0;
      } catch (error) {
        io.out(`Health:      unreachable (${errorMessage(error)})`);
        return 1;
      }
    }
    case "clear":
      io.out(await clearAdminCredentials(file) ? `✓ Removed ${file}` : `(no admin credentials in ${file})`);
      return 0;
    case undefined:
      throw new UsageError("missing subcommand: configure, status or clear", USAGE);
    default:
      throw new UsageError(`unknown subcommand: ${positionals[0]}`, USAGE);
  }
}

/** The `ctvs admin` command. */
export const adminCommand: Command = {
  name: "admin",
  summary: "keep the Central server's admin URL and token on this machine",
  run: (argv, io) => runAdmin(argv, io, currentHost()),
};
