/**
 * Codex attach and detach on the real `config.toml` (`$CODEX_HOME/config.toml`, else `~/.codex/config.toml`),
 * through the same guarded, reversible writer as Claude Code.
 *
 * @module
 */
import path from "node:path";
import { attachFile, detachFile, type ManagedFileOptions } from "../claude_code/managed_file.ts";
import { SettingsError } from "../claude_code/settings_error.ts";
import { attachCodexConfig, type CodexAttachSpec, detachCodexConfig } from "./config_edit.ts";

/** Codex's home: `CODEX_HOME` when set, else `<home>/.codex`. */
export function codexHome(home: string, env: Record<string, string | undefined>): string {
  return env.CODEX_HOME || path.join(home, ".codex");
}

/** Points Codex at the proxy; reports the `model_provider` it replaced, if any. */
export function attachCodex(
  file: string,
  spec: CodexAttachSpec,
  options: ManagedFileOptions = {},
): Promise<{ previousModelProvider?: string }> {
  return named(
    file,
    () => attachFile(file, { attach: (o) => attachCodexConfig(o, spec), detach: detachCodexConfig }, options),
  );
}

/** Removes the managed blocks; `changed: false` when Codex was not attached. */
export function detachCodex(file: string, options: ManagedFileOptions = {}) {
  return named(
    file,
    () => detachFile(file, { attach: () => ({ text: "", info: {} }), detach: detachCodexConfig }, options),
  );
}

/** Puts the file's path in front of a TOML error, which the pure edits cannot know. */
async function named<T>(file: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SettingsError && (error.code === "MALFORMED_TOML" || error.code === "UNSAFE_EDIT")) {
      throw new SettingsError(error.code, `${file} ${error.message}`);
    }
    throw error;
  }
}
