/**
 * `ctvs join <join-code> --rendezvous <url>` (or `--central <url>`): makes this host a gateway of a fleet with the
 * code an operator made with `ctvs invite create` (reference §10.8). Resolve the code at the rendezvous service,
 * redeem it at Central for a config with a one-shot token, bootstrap the identity, fetch the registered config, write
 * `~/.hyp/collectivus.json` (0600), and offer to install the daemon. Each step prints what it did; each failure says
 * what to do next, and whether the code was used up.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { rename } from "node:fs/promises";
import path from "node:path";
import { atomicWrite } from "../platform/atomic_write.ts";
import { isHttpUrl } from "../platform/config/_checks.ts";
import type { Config } from "../platform/config/types.ts";
import { currentHost, type Host } from "../platform/daemon/host.ts";
import { isNpxPath } from "../platform/daemon/program.ts";
import { JOIN_CODE_ALPHABET, normalizeJoinCode } from "../platform/join_code.ts";
import { expandHome } from "../platform/paths.ts";
import { errorMessage } from "../platform/runtime.ts";
import { IdentityClient } from "../server/gateway/identity_client.ts";
import type { Command } from "./command.ts";
import { runInstall } from "./install.ts";
import { JoinFailed, redeemStep, registeredConfigStep, resolveStep } from "./join_steps.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";
import { UsageError } from "./usage_error.ts";

const USAGE = `Usage: ctvs join <join-code> --rendezvous <url> [--expect-central <url>] [options]
       ctvs join <join-code> --central <url> [options]

Makes this host a gateway of a fleet, with a join code from the operator (\`ctvs invite create\`):
  1. resolves the code at the rendezvous service to the Central server's URL (--rendezvous),
     or goes to the Central server named by --central;
  2. redeems the code at Central for this gateway's config and a one-shot bootstrap token;
  3. exchanges the token for the gateway's identity (a JWT, kept in ~/.hyp/collectivus/identity.json);
  4. fetches the config registered for this gateway;
  5. writes it to ~/.hyp/collectivus.json (mode 0600);
  6. offers to install the gateway as a background daemon (ctvs install).

The rendezvous service only says where Central is; it does not vouch for it. --expect-central <url> makes join
stop before the code is used when the rendezvous service names another server: give it the URL the operator
gave you (over https, its certificate is checked as well).

Options:
  --rendezvous <url>        the rendezvous service (from the operator's command)
  --central <url>           the Central server, without a rendezvous service
  --expect-central <url>    refuse unless the rendezvous service names this Central server
  --config <path>           where to write the config (default ~/.hyp/collectivus.json)
  --force                   replace an existing config and identity (the old files are kept as *.bak-<time>)
  -y, --yes                 install the daemon (and attach Claude Code to its proxy) without asking
  -n, --no                  do not install the daemon
  -h, --help                show this help

Exit codes: 0 joined, 1 failure (the message says whether the code was used), 2 usage error.`;

const FLAGS = {
  rendezvous: { type: "string", requires: "--rendezvous requires the rendezvous service's URL" },
  central: { type: "string", requires: "--central requires the Central server's URL" },
  "expect-central": { type: "string", requires: "--expect-central requires the Central server's URL" },
  config: { type: "string", requires: "--config requires a path" },
  force: { type: "boolean" },
  yes: { type: "boolean", short: "y" },
  no: { type: "boolean", short: "n" },
  help: { type: "boolean", short: "h" },
} as const;

/** What tests may swap. */
export interface JoinOptions {
  fetch?: typeof fetch;
}

/** Runs `ctvs join` against `host`. */
export async function runJoin(argv: string[], io: Io, host: Host, options: JoinOptions = {}): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, USAGE, { maxPositionals: 1 });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const flags = checkFlags(values, positionals);
  try {
    return await join(flags, io, host, options.fetch ?? ((input, init) => fetch(input, init)));
  } catch (error) {
    if (!(error instanceof JoinFailed)) throw error;
    io.err(`error: ${error.message}`);
    return 1;
  }
}

interface JoinFlags {
  code: string;
  rendezvous?: string;
  central?: string;
  expectCentral?: string;
  config?: string;
  force: boolean;
  yes: boolean;
  no: boolean;
}

function checkFlags(values: Record<string, unknown>, positionals: string[]): JoinFlags {
  const typed = positionals[0];
  if (typed === undefined) {
    throw new UsageError("a join code is required: ctvs join <join-code> --rendezvous <url>", USAGE);
  }
  const code = normalizeJoinCode(typed);
  if (code === undefined) {
    throw new UsageError(
      `"${typed}" is not a join code: join codes are letters and digits of ${JOIN_CODE_ALPHABET} ` +
        "(no 0, O, 1, I, L or U); check it for typos",
      USAGE,
    );
  }
  const rendezvous = values.rendezvous as string | undefined;
  const central = values.central as string | undefined;
  const expectCentral = values["expect-central"] as string | undefined;
  if (rendezvous === undefined && central === undefined) {
    throw new UsageError(
      "say where to join: --rendezvous <url> (from the operator's command) or --central <url>",
      USAGE,
    );
  }
  if (rendezvous !== undefined && central !== undefined) {
    throw new UsageError("--rendezvous and --central are mutually exclusive", USAGE);
  }
  if (expectCentral !== undefined && central !== undefined) {
    throw new UsageError("--expect-central goes with --rendezvous; --central already names the server", USAGE);
  }
  for (
    const [flag, url] of [["--rendezvous", rendezvous], ["--central", central], ["--expect-central", expectCentral]]
  ) {
    if (url !== undefined && !isHttpUrl(url)) {
      throw new UsageError(
        `${flag} must be an http(s) URL (got "${url}")`,
        USAGE,
      );
    }
  }
  if (values.yes && values.no) throw new UsageError("--yes and --no are mutually exclusive", USAGE);
  return {
    code,
    rendezvous,
    central,
    expectCentral,
    config: values.config as string | undefined,
    force: values.force === true,
    yes: values.yes === true,
    no: values.no === true,
  };
}

async function join(flags: JoinFlags, io: Io, host: Host, fetchFn: typeof fetch): Promise<number> {
  const configPath = path.resolve(flags.config !== undefined ? expandHome(flags.config, host.home) : defaultPath(host));
  const defaultIdentity = identityFile(host, undefined);
  // Before the code is used: a host that is set up already is not replaced by accident.
  if (!flags.force) {
    for (const file of [configPath, defaultIdentity]) {
      if (existsSync(file)) {
        throw new JoinFailed(
          `${file} already exists: this host is set up already. Nothing was changed and the join code is not used. ` +
            "To replace it with this fleet's gateway, run the same command with --force (the old files are kept " +
            "as *.bak-<time>)",
        );
      }
    }
  }

  // 1. Where Central is.
  let central: string;
  if (flags.rendezvous !== undefined) {
    warnIfPlain(flags.rendezvous, "the rendezvous service", io);
    const resolved = await resolveStep(flags.code, flags.rendezvous, fetchFn);
    central = resolved.connect_url;
    const name = resolved.display_name ? ` ("${resolved.display_name}")` : "";
    io.out(
      `✓ Resolved the join code at ${flags.rendezvous}: gateway ${resolved.gateway_id}${name}, Central server ${central}`,
    );
    if (flags.expectCentral !== undefined) {
      if (!sameUrl(central, flags.expectCentral)) {
        throw new JoinFailed(
          `the rendezvous service sent this host to ${central}, not to ${flags.expectCentral} (--expect-central). ` +
            "Nothing was changed and the join code is not used. Ask the operator which server is right; if it is " +
            `${flags.expectCentral}, run: ctvs join ${flags.code} --central ${flags.expectCentral}`,
        );
      }
      io.out(`✓ Central server is the one expected (${flags.expectCentral})`);
    }
  } else {
    central = flags.central!.replace(/\/+$/, "");
  }
  warnIfPlain(central, "the Central server (the bootstrap token and the gateway's JWT)", io);

  // 2. Redeem.
  const redeemed = await redeemStep(flags.code, central, fetchFn);
  const gatewayId = redeemed.gatewayId;
  const centralUrl = redeemed.config.central_server!.url;
  io.out(`✓ Join code redeemed at ${central}: this host is gateway ${gatewayId}`);
  if (!sameUrl(centralUrl, central)) io.out(`  (Central gives its address as ${centralUrl}; the gateway uses that)`);

  // Files this host had (with --force): kept aside, so the new gateway starts from nothing of the old one's.
  const stamp = host.now().toISOString().replace(/[:.]/g, "-");
  const identityPath = identityFile(host, redeemed.config);
  for (const file of new Set([configPath, identityPath, defaultIdentity])) {
    if (!existsSync(file)) continue;
    const kept = `${file}.bak-${stamp}`;
    await rename(file, kept);
    io.out(`  (the previous ${path.basename(file)} is kept as ${kept})`);
  }

  // 3. Identity.
  const identity = new IdentityClient({
    centralUrl,
    persistedPath: identityPath,
    bootstrapToken: redeemed.config.central_server!.identity.bootstrap_token,
    fetch: fetchFn,
    log: io.err,
  });
  let bootstrapFailure: string | undefined;
  try {
    await identity.acquire();
    io.out(
      `✓ Identity bootstrapped for ${identity.gatewayId} (JWT valid until ` +
        `${new Date(identity.expiresAt * 1000).toISOString()}; kept in ${identityPath})`,
    );
  } catch (error) {
    bootstrapFailure = errorMessage(error);
    io.err(`warning: ${bootstrapFailure}`);
  }

  // 4. The registered config (else the one the enrollment gave).
  let config = redeemed.config;
  if (bootstrapFailure === undefined) {
    config = await registeredConfigStep(redeemed, centralUrl, await identity.jwt(), fetchFn, io);
  }

  // 5. Write it. The token is spent once the identity is bootstrapped; else it stays for the gateway's first start.
  const written = bootstrapFailure === undefined ? withoutToken(config) : config;
  await atomicWrite(configPath, JSON.stringify(readable(written), null, 2) + "\n");
  io.out(`✓ Gateway config written to ${configPath}`);

  // 6. The daemon.
  const code = await offerDaemon(flags, configPath, io, host);
  if (bootstrapFailure !== undefined) {
    io.err(
      `error: the gateway is configured but has no identity yet (${bootstrapFailure}). Its config keeps the ` +
        `one-shot token, valid until ${new Date(redeemed.tokenExpiresAt * 1000).toISOString()}: start the gateway ` +
        `(ctvs --config ${configPath}, or the daemon) once ${centralUrl} is reachable and it bootstraps then`,
    );
    return 1;
  }
  return code;
}

/** Step 6: --yes, --no, a question on a terminal, or a warning; never from the npx cache. */
async function offerDaemon(flags: JoinFlags, configPath: string, io: Io, host: Host): Promise<number> {
  const run = `ctvs --config ${configPath}`;
  if (flags.no) {
    io.out(`Daemon not installed. Run the gateway with: ${run}   (or later: ctvs install --config ${configPath})`);
    return 0;
  }
  let wanted = flags.yes;
  if (!wanted) {
    if (!io.isTTY) {
      io.err(
        "warning: not a TTY and neither --yes nor --no provided; the daemon is not installed. " +
          `Run \`ctvs install --config ${configPath}\` to install it, or \`${run}\` to run the gateway now`,
      );
      return 0;
    }
    const answer = (await host.ask("Install the gateway as a background daemon? [Y/n] ")).trim().toLowerCase();
    wanted = answer === "" || answer === "y" || answer === "yes";
    if (!wanted) {
      io.out(`Daemon not installed. Run the gateway with: ${run}   (or later: ctvs install --config ${configPath})`);
      return 0;
    }
  }
  if (isNpxPath(host.program)) {
    // npx may delete its cache at any time, so a daemon must not run from it; installing packages globally is the
    // user's call (it may need root), so join says how rather than doing it.
    io.out("ctvs is running from the npx cache; to run the gateway as a daemon, install it globally first:");
    io.out(`  npm install -g collectivus && ctvs install --config ${configPath}${flags.yes ? " --yes" : ""}`);
    return 0;
  }
  return await runInstall(["--config", configPath, ...(flags.yes ? ["--yes"] : [])], io, host);
}

/** The top-level keys in the order people read a config in (Central's registry keeps them sorted). */
const KEY_ORDER = ["version", "role", "central_server", "otel", "proxy", "sink", "upload", "query", "gascity"];

function readable(config: Config): Config {
  const keys = Object.keys(config).sort((a, b) => rank(a) - rank(b));
  return Object.fromEntries(keys.map((k) => [k, config[k as keyof Config]])) as unknown as Config;
}

function rank(key: string): number {
  const i = KEY_ORDER.indexOf(key);
  return i === -1 ? KEY_ORDER.length : i;
}

/** `config` without the spent bootstrap token. */
function withoutToken(config: Config): Config {
  const central = config.central_server!;
  const { bootstrap_token: _, ...identity } = central.identity;
  return { ...config, central_server: { ...central, identity } };
}

/** The identity file of `config` (default `~/.hyp/collectivus/identity.json`), against this host's home. */
function identityFile(host: Host, config: Config | undefined): string {
  const configured = config?.central_server?.identity.persisted_path;
  return path.resolve(
    configured !== undefined
      ? expandHome(configured, host.home)
      : path.join(host.home, ".hyp", "collectivus", "identity.json"),
  );
}

function defaultPath(host: Host): string {
  return path.join(host.home, ".hyp", "collectivus.json");
}

/**
 * Whether two URLs name the same server: scheme, host and port, and path (a trailing `/` aside).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(sameUrl("https://Central.example.com:443/", "https://central.example.com"), true);
 * assert.equal(sameUrl("http://central.example.com", "https://central.example.com"), false);
 * ```
 */
export function sameUrl(a: string, b: string): boolean {
  const key = (text: string) => {
    const url = new URL(text);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
  };
  return key(a) === key(b);
}

/** A warning when `url` is plain http to another host. */
function warnIfPlain(url: string, what: string, io: Io): void {
  const { protocol, hostname } = new URL(url);
  if (protocol !== "http:" || ["localhost", "127.0.0.1", "[::1]"].includes(hostname)) return;
  io.err(
    `warning: ${what} is reached over plain http (${url}): anyone on the network path can read or redirect it. ` +
      "Prefer https on anything but a private network",
  );
}

/** The `ctvs join` command. */
export const joinCommand: Command = {
  name: "join",
  summary: "join this host to a fleet with a join code",
  run: (argv, io) => runJoin(argv, io, currentHost()),
};
