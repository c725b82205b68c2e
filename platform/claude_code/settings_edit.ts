/**
 * The edits attach makes to Claude Code's `settings.json`, as pure functions of its text. Edits go through
 * jsonc-parser's `modify`, so comments, key order and the user's formatting outside the touched values survive.
 *
 * @module
 */
import { applyEdits, type FormattingOptions, modify, parse, type ParseError, printParseErrorCode } from "jsonc-parser";
import type { Detached } from "./managed_file.ts";
import { MANAGED_HOOK } from "./hook_command.ts";
import { SettingsError } from "./settings_error.ts";

/** What an attach writes. */
export interface ClaudeAttachSpec {
  port: number;
  /** The hook command line (see `hookCommand`). */
  command: string;
  attachedAt: string;
  version: string;
}

/** The marker key attach adds at the top level. */
export const MARKER_KEY = "_collectivus";

/** The events that get the hook; PostToolUse only for Bash, where `cd` can change the cwd. */
export const HOOK_EVENTS: readonly { event: string; matcher?: string }[] = [
  { event: "SessionStart" },
  { event: "CwdChanged" },
  { event: "UserPromptSubmit" },
  { event: "PostToolUse", matcher: "Bash" },
];

type Json = Record<string, unknown>;

/** The proxy URL attach points Claude Code at. */
export function baseUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/** Adds the env var, the hooks and the marker to `original` (a missing or blank file counts as `{}`). */
export function attachSettings(
  original: string | undefined,
  spec: ClaudeAttachSpec,
): { text: string; info: { previousBaseUrl?: string } } {
  let text = original === undefined || original.trim() === "" ? "{}\n" : original;
  const root = parseSettings(text);
  text = removeManagedHooks(text, root);
  const env = isObject(root.env) ? root.env : {};
  const previous = typeof env.ANTHROPIC_BASE_URL === "string" ? env.ANTHROPIC_BASE_URL : undefined;
  text = edit(text, ["env", "ANTHROPIC_BASE_URL"], baseUrl(spec.port));
  for (const { event, matcher } of HOOK_EVENTS) {
    const group = { ...(matcher ? { matcher } : {}), hooks: [{ type: "command", command: spec.command }] };
    text = edit(text, ["hooks", event, -1], group, true);
  }
  const marker = {
    attached_at: spec.attachedAt,
    version: spec.version,
    port: spec.port,
    ...(previous !== undefined && previous !== baseUrl(spec.port) ? { previous_base_url: previous } : {}),
  };
  text = edit(text, [MARKER_KEY], marker);
  return { text, info: previous !== undefined ? { previousBaseUrl: previous } : {} };
}

/** Removes what attach added; restores a previous `ANTHROPIC_BASE_URL` the marker remembers. */
export function detachSettings(current: string): Detached {
  if (current.trim() === "") return { text: current, changed: false, warnings: [] };
  const root = parseSettings(current);
  const marker = root[MARKER_KEY];
  if (!isObject(marker)) return { text: current, changed: false, warnings: [] };
  const warnings: string[] = [];
  let text = edit(current, [MARKER_KEY], undefined);
  text = removeManagedHooks(text, parseSettings(text));
  const env = parseSettings(text).env;
  const value = isObject(env) ? env.ANTHROPIC_BASE_URL : undefined;
  if (value !== undefined) {
    if (value === baseUrl(Number(marker.port))) {
      const previous = typeof marker.previous_base_url === "string" ? marker.previous_base_url : undefined;
      text = edit(text, ["env", "ANTHROPIC_BASE_URL"], previous);
    } else {
      warnings.push("ANTHROPIC_BASE_URL was overridden externally; leaving in place");
    }
  }
  const after = parseSettings(text).env;
  if (isObject(after) && Object.keys(after).length === 0) text = edit(text, ["env"], undefined);
  return { text, changed: true, warnings };
}

/** Whether `text` carries the attach marker, and the marker. */
export function readMarker(text: string): Json | undefined {
  const marker = parseSettings(text)[MARKER_KEY];
  return isObject(marker) ? marker : undefined;
}

/** Removes managed handlers, then groups, event arrays and `hooks` left empty by that removal. */
function removeManagedHooks(text: string, root: Json): string {
  if (!isObject(root.hooks)) return text;
  for (const [event, groups] of Object.entries(root.hooks)) {
    if (!Array.isArray(groups)) continue;
    // Back to front, so earlier indexes stay valid while later ones are removed.
    for (let g = groups.length - 1; g >= 0; g--) {
      const handlers = isObject(groups[g]) && Array.isArray(groups[g].hooks) ? groups[g].hooks as unknown[] : [];
      const managed = handlers.map((h, i) => isManaged(h) ? i : -1).filter((i) => i >= 0);
      if (managed.length === 0) continue;
      if (managed.length === handlers.length) {
        text = edit(text, ["hooks", event, g], undefined);
      } else {
        for (const i of managed.reverse()) text = edit(text, ["hooks", event, g, "hooks", i], undefined);
      }
    }
  }
  const hooks = parseSettings(text).hooks as Json;
  for (const [event, groups] of Object.entries(hooks)) {
    const wasOurs = (root.hooks as Json)[event] as unknown[];
    if (Array.isArray(groups) && groups.length === 0 && wasOurs.length > 0) {
      text = edit(text, ["hooks", event], undefined);
    }
  }
  const left = parseSettings(text).hooks;
  if (isObject(left) && Object.keys(left).length === 0 && Object.keys(root.hooks).length > 0) {
    text = edit(text, ["hooks"], undefined);
  }
  return text;
}

function isManaged(handler: unknown): boolean {
  return isObject(handler) && typeof handler.command === "string" && MANAGED_HOOK.test(handler.command);
}

/** Parses settings text; throws {@link SettingsError} for broken JSON or a non-object root. */
export function parseSettings(text: string): Json {
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const first = errors[0];
    throw new SettingsError(
      "MALFORMED_JSON",
      `is not valid JSON (${printParseErrorCode(first.error)} at offset ${first.offset}); fix it and retry`,
    );
  }
  if (!isObject(value)) throw new SettingsError("NOT_AN_OBJECT", "must hold a JSON object; fix it and retry");
  return value;
}

function edit(text: string, path: (string | number)[], value: unknown, isArrayInsertion = false): string {
  return applyEdits(text, modify(text, path, value, { formattingOptions: formatting(text), isArrayInsertion }));
}

/** Indentation and line ends as the file already uses them, so inserted lines look like their neighbours. */
function formatting(text: string): FormattingOptions {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? "  ";
  return indent.startsWith("\t")
    ? { insertSpaces: false, tabSize: 1, eol }
    : { insertSpaces: true, tabSize: indent.length, eol };
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
