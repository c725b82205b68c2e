/**
 * Claude Code attach and detach on the real `~/.claude/settings.json`: the pure edits of `settings_edit.ts` applied
 * through the guarded, reversible file writer.
 *
 * @module
 */
import path from "node:path";
import { attachFile, detachFile, type FileEdits, type ManagedFileOptions } from "./managed_file.ts";
import { SettingsError } from "./settings_error.ts";
import { attachSettings, type ClaudeAttachSpec, detachSettings } from "./settings_edit.ts";

/** `<home>/.claude/settings.json`. */
export function claudeSettingsPath(home: string): string {
  return path.join(home, ".claude", "settings.json");
}

/** Attaches Claude Code at `file`; reports the `ANTHROPIC_BASE_URL` it replaced, if any. */
export async function attachClaude(
  file: string,
  spec: ClaudeAttachSpec,
  options: ManagedFileOptions = {},
): Promise<{ previousBaseUrl?: string }> {
  return await named(file, () => attachFile(file, edits(spec), options));
}

/** Detaches Claude Code at `file`; `changed: false` when it was not attached. */
export async function detachClaude(
  file: string,
  options: ManagedFileOptions = {},
): Promise<{ changed: boolean; warnings: string[] }> {
  return await named(file, () => detachFile(file, edits(), options));
}

function edits(spec?: ClaudeAttachSpec): FileEdits<{ previousBaseUrl?: string }> {
  return {
    attach: (original) => attachSettings(original, spec!),
    detach: (current) => detachSettings(current),
  };
}

/** Puts the file's path in front of a {@link SettingsError}, which the pure edits cannot know. */
async function named<T>(file: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SettingsError) throw new SettingsError(error.code, `${file} ${error.message}`);
    throw error;
  }
}
