/**
 * `ctvs rendezvous`: the rendezvous service (reference §10.7), which turns a join code into the Central server's URL
 * for `ctvs join`. It runs on its own (no config file): an address, a data directory and the registration token
 * Central registers invites with. SIGINT/SIGTERM stop it after the requests in flight.
 *
 * @module
 */
import path from "node:path";
import { splitListen } from "../platform/config/listen.ts";
import { currentHost, type Host } from "../platform/daemon/host.ts";
import { expandHome } from "../platform/paths.ts";
import { errorMessage, onSignal, type Signal } from "../platform/runtime.ts";
import { rendezvousService } from "../server/rendezvous/listener.ts";
import type { Command } from "./command.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";
import { UsageError } from "./usage_error.ts";

/** The environment variable holding the registration token (shared with Central's config and `.env.example`). */
export const REGISTRATION_TOKEN_ENV = "COLLECTIVUS_RENDEZVOUS_REGISTRATION_TOKEN";

/** The shortest registration token accepted. */
export const MIN_REGISTRATION_TOKEN_LENGTH = 32;

const DEFAULT_LISTEN = "127.0.0.1:8789";

const USAGE = `Usage: ctvs rendezvous [--listen <host:port>] [--data-dir <dir>] [--registration-token <token>]

Runs the rendezvous service: a Central server registers each invite here (the sha256 of its join code, Central's
URL, the gateway id, the expiry), and \`ctvs join <code> --rendezvous <url>\` on a new host resolves the code to
Central's URL. It stores no join code, config, JWT or token: only hashes (keyed with the registration token) and
those connect details, in <data-dir>/invites.json (mode 0600). Expired invites are swept every 60 s.

It does not vouch for Central: whoever can register invites (holds the registration token) or answers in its place
(no TLS) can send a joining host to another server. Serve it over https, and see \`ctvs join --expect-central\`.

Options:
  --listen <host:port>            where to listen (default ${DEFAULT_LISTEN}; 0.0.0.0:8789 for other hosts)
  --data-dir <dir>                where the store lives (default ~/.hyp/collectivus/rendezvous)
  --registration-token <token>    the token Central registers with (server.rendezvous.registration_token),
                                  at least ${MIN_REGISTRATION_TOKEN_LENGTH} characters; better from the environment:
                                  ${REGISTRATION_TOKEN_ENV} (a flag shows in \`ps\`)
  -h, --help                      show this help

Endpoints: GET /health; POST /v1/rendezvous/invites and DELETE /v1/rendezvous/invites/<hash> (Bearer
registration token); POST /v1/rendezvous/resolve {join_code}.
Exit codes: 0 stopped by a signal, 1 cannot start, 2 usage error.`;

const FLAGS = {
  listen: { type: "string", requires: "--listen requires host:port" },
  "data-dir": { type: "string", requires: "--data-dir requires a directory" },
  "registration-token": { type: "string", requires: "--registration-token requires a token" },
  help: { type: "boolean", short: "h" },
} as const;

/** Runs the service until SIGINT or SIGTERM. */
export async function runRendezvous(argv: string[], io: Io, host: Host): Promise<number> {
  const { values } = parseFlags(argv, FLAGS, USAGE);
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const listen = (values.listen as string | undefined) ?? DEFAULT_LISTEN;
  const problem = splitListen(listen);
  if (typeof problem === "string") throw new UsageError(`--listen "${listen}": ${problem}`, USAGE);
  const token = (values["registration-token"] as string | undefined) ?? (host.env[REGISTRATION_TOKEN_ENV] || undefined);
  if (!token) {
    throw new UsageError(
      `a registration token is required: set ${REGISTRATION_TOKEN_ENV} (or --registration-token)`,
      USAGE,
    );
  }
  if (token.length < MIN_REGISTRATION_TOKEN_LENGTH) {
    io.err(
      `error: the registration token must be at least ${MIN_REGISTRATION_TOKEN_LENGTH} characters ` +
        `(generate one with \`openssl rand -hex 32\`, and give Central the same one)`,
    );
    return 1;
  }
  const given = values["data-dir"] as string | undefined;
  const dataDir = path.resolve(
    given !== undefined ? expandHome(given) : path.join(host.home, ".hyp", "collectivus", "rendezvous"),
  );
  const service = rendezvousService({ listen, dataDir, registrationToken: token, log: io.err });
  let stop!: (signal: Signal) => void;
  const stopped = new Promise<Signal>((resolve) => stop = resolve);
  const removers = [onSignal("SIGINT", () => stop("SIGINT")), onSignal("SIGTERM", () => stop("SIGTERM"))];
  try {
    try {
      io.out(await service.start());
    } catch (error) {
      await service.stop();
      io.err(`error: cannot start the rendezvous service on ${listen}: ${errorMessage(error)}`);
      return 1;
    }
    const signal = await stopped;
    io.out(`Received ${signal}, shutting down...`);
    await service.stop();
    io.out("Shutdown complete.");
    return 0;
  } finally {
    for (const remove of removers) remove();
  }
}

/** The `ctvs rendezvous` command. */
export const rendezvousCommand: Command = {
  name: "rendezvous",
  summary: "run the rendezvous service that resolves join codes to a Central server",
  run: (argv, io) => runRendezvous(argv, io, currentHost()),
};
