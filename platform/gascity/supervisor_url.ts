/**
 * Where this machine's Gas City supervisor listens. The supervisor reads `[supervisor] bind` and `port` from
 * `supervisor.toml` in its home (`$GC_HOME`, else `~/.gc`) and defaults to 127.0.0.1:8372; `ctvs gascity attach` and
 * the walkthrough read the same file, so a supervisor moved to another port is still found.
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";
import { parse } from "smol-toml";

/** The supervisor's own default address. */
export const DEFAULT_SUPERVISOR_URL = "http://127.0.0.1:8372";

const DEFAULT_PORT = 8372;

/**
 * The URL of the local supervisor's API, from `<GC_HOME or ~/.gc>/supervisor.toml`; the default when the file is
 * missing or unreadable. A wildcard bind (`0.0.0.0`, `::`) is reached on loopback.
 *
 * @param env Where `GC_HOME` is read.
 * @param home The user's home directory.
 * @returns `http://<host>:<port>`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const home = await mkdtemp(join(tmpdir(), "gc-home-"));
 * assert.equal(await localSupervisorUrl({}, home), "http://127.0.0.1:8372");
 * await mkdir(join(home, ".gc"));
 * await writeFile(join(home, ".gc", "supervisor.toml"), '[supervisor]\nport = 9001\nbind = "0.0.0.0"\n');
 * assert.equal(await localSupervisorUrl({}, home), "http://127.0.0.1:9001");
 * await rm(home, { recursive: true });
 * ```
 */
export async function localSupervisorUrl(env: Record<string, string | undefined>, home: string): Promise<string> {
  const file = path.join(env.GC_HOME || path.join(home, ".gc"), "supervisor.toml");
  let section: { port?: unknown; bind?: unknown } | undefined;
  try {
    section = parse(await fs.readFile(file, "utf8")).supervisor as typeof section;
  } catch {
    return DEFAULT_SUPERVISOR_URL;
  }
  const port = Number.isInteger(section?.port) && (section!.port as number) > 0 ? section!.port : DEFAULT_PORT;
  const bind = typeof section?.bind === "string" ? section.bind.trim() : "";
  const host = bind === "" || bind === "0.0.0.0"
    ? "127.0.0.1"
    : bind === "::"
    ? "[::1]"
    : bind.includes(":")
    ? `[${bind}]`
    : bind;
  return `http://${host}:${port}`;
}
