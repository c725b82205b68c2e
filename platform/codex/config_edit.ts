/**
 * The edits attach makes to Codex's `config.toml`, line by line (a TOML writer would drop the user's comments and
 * layout): a managed `model_provider` block before the first table and a managed provider table at the end.
 *
 * @module
 */
import type { Detached } from "../claude_code/managed_file.ts";
import { SettingsError } from "../claude_code/settings_error.ts";

/** What an attach writes. */
export interface CodexAttachSpec {
  port: number;
  attachedAt: string;
  version: string;
}

const ROOT_BEGIN = "# BEGIN collectivus codex model_provider";
const ROOT_END = "# END collectivus codex model_provider";
const TABLE_BEGIN = "# BEGIN collectivus codex provider";
const TABLE_END = "# END collectivus codex provider";
const PROVIDER_HEADER = /^\s*\[\s*model_providers\s*\.\s*("collectivus"|collectivus)\s*\]\s*(#.*)?$/;
const ROOT_PROVIDER = /^\s*model_provider\s*=\s*"([^"]*)"\s*(#.*)?$/;

/** Adds the managed blocks; the previous root `model_provider` is remembered in the block and reported. */
export function attachCodexConfig(
  original: string | undefined,
  spec: CodexAttachSpec,
): { text: string; info: { previousModelProvider?: string } } {
  const stripped = strip(lines(original ?? ""));
  const previous = stripped.previous;
  const rootBlock = [
    ROOT_BEGIN,
    `# attached_at = "${spec.attachedAt}"`,
    `# version = "${spec.version}"`,
    `# port = ${spec.port}`,
    ...(previous !== undefined ? [`# previous_model_provider = "${previous}"`] : []),
    'model_provider = "collectivus"',
    ROOT_END,
  ];
  const tableBlock = [
    TABLE_BEGIN,
    "[model_providers.collectivus]",
    'name = "Collectivus OpenAI Proxy"',
    `base_url = "http://127.0.0.1:${spec.port}/v1"`,
    "requires_openai_auth = true",
    'wire_api = "responses"',
    "supports_websockets = false",
    TABLE_END,
  ];
  const body = stripped.lines;
  const first = firstTable(body);
  const out = [...body.slice(0, first), "", ...rootBlock, "", ...body.slice(first), "", ...tableBlock];
  return { text: finish(out), info: previous !== undefined ? { previousModelProvider: previous } : {} };
}

/** Removes the managed blocks and restores the previous `model_provider` when the root has none. */
export function detachCodexConfig(current: string): Detached {
  const all = lines(current);
  if (!all.some((l) => l.trim() === ROOT_BEGIN || l.trim() === TABLE_BEGIN)) {
    return { text: current, changed: false, warnings: [] };
  }
  const stripped = strip(all);
  const body = stripped.lines;
  const warnings: string[] = [];
  const first = firstTable(body);
  const rootValue = body.slice(0, first).map((l) => ROOT_PROVIDER.exec(l)?.[1]).find((v) => v !== undefined);
  if (rootValue !== undefined && stripped.managedPrevious !== undefined) {
    warnings.push(`model_provider was changed externally; leaving ${rootValue} in place`);
  } else if (rootValue === undefined && stripped.managedPrevious !== undefined) {
    body.splice(first, 0, `model_provider = "${stripped.managedPrevious}"`);
  }
  return { text: finish(body), changed: true, warnings };
}

/** The lines of `text` without the managed blocks, the root `model_provider` line and any collectivus table. */
function strip(all: string[]): { lines: string[]; previous?: string; managedPrevious?: string } {
  const kept: string[] = [];
  let managedPrevious: string | undefined;
  let rootPrevious: string | undefined;
  let inTable = false;
  for (let i = 0; i < all.length; i++) {
    const line = all[i];
    const trimmed = line.trim();
    if (trimmed === ROOT_BEGIN || trimmed === TABLE_BEGIN) {
      const end = all.indexOf(trimmed === ROOT_BEGIN ? ROOT_END : TABLE_END, i + 1);
      if (end === -1) {
        throw new SettingsError("MALFORMED_MARKER", "unterminated collectivus-managed Codex config block");
      }
      for (const inner of all.slice(i, end)) {
        managedPrevious ??= /^# previous_model_provider = "([^"]*)"$/.exec(inner)?.[1];
      }
      i = end;
      continue;
    }
    if (isTableHeader(line)) inTable = PROVIDER_HEADER.test(line);
    if (inTable) continue;
    const root = firstTable(kept) === kept.length ? ROOT_PROVIDER.exec(line) : null;
    if (root) {
      rootPrevious ??= root[1];
      continue;
    }
    kept.push(line);
  }
  return { lines: kept, previous: managedPrevious ?? rootPrevious, managedPrevious };
}

/** The index of the first table header, skipping multiline strings; `lines.length` when there is none. */
function firstTable(lines: string[]): number {
  let inString = false;
  for (let i = 0; i < lines.length; i++) {
    if (!inString && isTableHeader(lines[i])) return i;
    // An odd number of triple quotes opens or closes a multiline string.
    const quotes = (lines[i].match(/"""|'''/g) ?? []).length;
    if (quotes % 2 === 1) inString = !inString;
  }
  return lines.length;
}

function isTableHeader(line: string): boolean {
  return /^\s*\[/.test(line);
}

function lines(text: string): string[] {
  return text === "" ? [] : text.replace(/\r?\n$/, "").split(/\r?\n/);
}

/** Collapses runs of blank lines, trims blank lines at both ends, and ends with one newline. */
function finish(all: string[]): string {
  const out: string[] = [];
  for (const line of all) {
    if (line.trim() === "" && (out.length === 0 || out[out.length - 1].trim() === "")) continue;
    out.push(line);
  }
  while (out.length > 0 && out[out.length - 1].trim() === "") out.pop();
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}
