/**
 * Well-known locations under the user's home directory. Home comes from `HOME` (or `USERPROFILE`) first, so tests
 * and sandboxes can move it, then from the OS.
 *
 * @module
 */
import os from "node:os";
import path from "node:path";
import process from "node:process";

/** The user's home directory. */
export function homeDir(): string {
  return process.env.HOME || process.env.USERPROFILE || os.homedir();
}

/** Expands a leading `~` or `~/` to the home directory (`home`, default {@linkcode homeDir}); other paths are returned unchanged. */
export function expandHome(p: string, home: string = homeDir()): string {
  if (p === "~") return home;
  if (p.startsWith("~/") || p.startsWith("~\\")) return path.join(home, p.slice(2));
  return p;
}

/** `~/.hyp/collectivus.json`: the config used when no source is given. */
export function defaultConfigPath(): string {
  return path.join(homeDir(), ".hyp", "collectivus.json");
}

/** `~/.hyp/collectivus`: the recordings directory of the embedded default config and the walkthrough. */
export function defaultSinkDir(): string {
  return path.join(homeDir(), ".hyp", "collectivus");
}

/** `~/.collectivus/runtime/collectivus.pid`: written by a standalone daemon while it runs. */
export function pidFilePath(): string {
  return path.join(homeDir(), ".collectivus", "runtime", "collectivus.pid");
}
