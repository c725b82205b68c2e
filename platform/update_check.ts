/**
 * The "newer version available" notice (reference §1), built so that it never blocks or slows a command: a command
 * only reads a small cache file (`~/.collectivus/update-check.json`); when the cache is a day old it starts
 * `ctvs update-check --background` as a detached process that asks the npm registry and rewrites the cache, and does
 * not wait for it. The notice is printed from the cache, on stderr, at the end of the command.
 *
 * Never on: `COLLECTIVUS_DISABLE_UPDATE_CHECK=1`, CI, a supervised daemon, the Claude Code hook, and output that is
 * not a terminal (piped or redirected stdout or stderr). Then nothing is read, started or fetched.
 *
 * @module
 */
import fs from "node:fs";
import path from "node:path";
import { atomicWrite } from "./atomic_write.ts";
import { homeDir } from "./paths.ts";

/** Where the registry is asked for the newest version (`<registry>/collectivus/latest`). */
export const DEFAULT_REGISTRY = "https://registry.npmjs.org";

/** How old the cached answer may get before it is asked again. */
export const CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** What the cache file holds. */
export interface UpdateCache {
  /** When the registry was last asked (or an ask started), ISO 8601. */
  checked_at: string;
  /** The newest published version the registry named, if it ever answered. */
  latest?: string;
}

/** `~/.collectivus/update-check.json`. */
export function updateCachePath(home: string = homeDir()): string {
  return path.join(home, ".collectivus", "update-check.json");
}

/** Environment variables set by CI services (`CI` covers most of them). */
export const CI_VARIABLES: readonly string[] = [
  "CI",
  "CONTINUOUS_INTEGRATION",
  "BUILD_NUMBER",
  "RUN_ID",
  "GITHUB_ACTIONS",
  "GITLAB_CI",
  "BUILDKITE",
  "CIRCLECI",
  "TF_BUILD",
  "JENKINS_URL",
  "TEAMCITY_VERSION",
];

/**
 * Whether `env` says it is a CI run (any of {@linkcode CI_VARIABLES} set to something but empty, `0` or `false`):
 * nothing is started in the background there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(isCi({ CI: "true" }), true);
 * assert.equal(isCi({ CI: "0" }), false);
 * assert.equal(isCi({}), false);
 * ```
 */
export function isCi(env: Readonly<Record<string, string | undefined>>): boolean {
  return CI_VARIABLES.some((name) => isSet(env[name]));
}

/** Set by systemd (`INVOCATION_ID`), launchd (`XPC_SERVICE_NAME`) or a supervisor that says so. */
export const SUPERVISED_VARIABLES: readonly string[] = ["INVOCATION_ID", "XPC_SERVICE_NAME", "COLLECTIVUS_SUPERVISED"];

/** Commands that never show or start a check: the per-prompt hook, the check itself, and container probes. */
const QUIET_COMMANDS = new Set(["claude-hook", "update-check", "healthcheck"]);

/** What decides whether a command may show the notice. */
export interface NoticeContext {
  env: Readonly<Record<string, string | undefined>>;
  /** The subcommand (`argv[0]`), or undefined for the collector runner and the walkthrough. */
  command: string | undefined;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
}

/**
 * Whether the notice machinery runs at all for this command; see the module doc.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const tty = { command: "query", stdoutIsTTY: true, stderrIsTTY: true };
 * assert.equal(updateNoticeEnabled({ ...tty, env: {} }), true);
 * assert.equal(updateNoticeEnabled({ ...tty, env: { CI: "true" } }), false);
 * assert.equal(updateNoticeEnabled({ ...tty, env: { COLLECTIVUS_DISABLE_UPDATE_CHECK: "1" } }), false);
 * assert.equal(updateNoticeEnabled({ ...tty, env: {}, stdoutIsTTY: false }), false);
 * assert.equal(updateNoticeEnabled({ ...tty, env: {}, command: "claude-hook" }), false);
 * ```
 */
export function updateNoticeEnabled(context: NoticeContext): boolean {
  const { env } = context;
  if (isSet(env.COLLECTIVUS_DISABLE_UPDATE_CHECK)) return false;
  if (isCi(env)) return false;
  if (SUPERVISED_VARIABLES.some((name) => isSet(env[name]))) return false;
  if (context.command !== undefined && QUIET_COMMANDS.has(context.command)) return false;
  return context.stdoutIsTTY && context.stderrIsTTY;
}

/** A variable that is set to anything but empty, `0` or `false`. */
function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false";
}

/** Reads the cache; undefined when it is missing or unreadable (a broken cache only means "ask again"). */
export function readUpdateCache(file: string = updateCachePath()): UpdateCache | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    if (typeof parsed?.checked_at !== "string") return undefined;
    return { checked_at: parsed.checked_at, ...(typeof parsed.latest === "string" ? { latest: parsed.latest } : {}) };
  } catch {
    return undefined;
  }
}

/** Replaces the cache atomically, so a reader never sees half of it. */
export async function writeUpdateCache(cache: UpdateCache, file: string = updateCachePath()): Promise<void> {
  await atomicWrite(file, JSON.stringify(cache) + "\n");
}

/** Whether the cache is missing or older than {@link CHECK_INTERVAL_MS} at `now`. */
export function checkIsDue(cache: UpdateCache | undefined, now: Date): boolean {
  const checked = cache ? Date.parse(cache.checked_at) : NaN;
  return !(checked <= now.getTime() && now.getTime() - checked < CHECK_INTERVAL_MS);
}

/**
 * Whether `candidate` is a newer release than `current` (`MAJOR.MINOR.PATCH`, a pre-release sorting before its
 * release). Anything that is not a version is never newer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(isNewerVersion("0.10.0", "0.9.3"), true);
 * assert.equal(isNewerVersion("1.0.0-rc.1", "1.0.0"), false);
 * assert.equal(isNewerVersion("1.0.0", "1.0.0-rc.1"), true);
 * assert.equal(isNewerVersion("latest", "1.0.0"), false);
 * ```
 */
export function isNewerVersion(candidate: string, current: string): boolean {
  const a = parseVersion(candidate);
  const b = parseVersion(current);
  if (!a || !b) return false;
  for (let i = 0; i < 3; i++) if (a.numbers[i] !== b.numbers[i]) return a.numbers[i] > b.numbers[i];
  if (a.pre === b.pre) return false;
  if (a.pre === "") return true;
  if (b.pre === "") return false;
  return a.pre.localeCompare(b.pre, "en", { numeric: true }) > 0;
}

function parseVersion(text: string): { numbers: number[]; pre: string } | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text.trim());
  return match ? { numbers: [1, 2, 3].map((i) => Number(match[i])), pre: match[4] ?? "" } : undefined;
}

/** How the running ctvs was installed, which decides how to update it. */
export type InstallKind = "npm" | "binary" | "source";

/** The install kind of `program` (from `currentProgram`): by where its script lives (the runtime may be npm's too). */
export function installKind(program: readonly string[]): InstallKind {
  if (program.length === 1) return "binary";
  return /[/\\]node_modules[/\\]/.test(program[program.length - 1]) ? "npm" : "source";
}

/** The two notice lines (reference §1 for npm installs). */
export function updateNoticeLines(latest: string, current: string, kind: InstallKind): string[] {
  const how = {
    npm: "Run 'npm install -g collectivus' to update",
    binary: "Download it from https://github.com/hyparam/collectivus/releases/latest",
    source: "Run 'git pull' in your collectivus checkout to update",
  }[kind];
  return [`A newer version of collectivus is available: ${latest} (current: ${current})`, how];
}

/**
 * Asks `<registry>/collectivus/latest` for the newest version. Rejects on a network error, a timeout, a non-200
 * answer or a body without a version.
 */
export async function fetchLatestVersion(
  registry: string,
  options: { timeoutMs?: number; fetchFn?: typeof fetch } = {},
): Promise<string> {
  const url = `${registry.replace(/\/+$/, "")}/collectivus/latest`;
  const response = await (options.fetchFn ?? fetch)(url, {
    headers: { accept: "application/json" },
    signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    const absent = response.status === 404 ? ": collectivus is not published on that registry" : "";
    throw new Error(`${url} answered ${response.status}${absent}`);
  }
  const body = await response.json();
  if (typeof body?.version !== "string" || !parseVersion(body.version)) {
    throw new Error(`${url} named no version`);
  }
  return body.version;
}
