/**
 * The edits attach makes to Codex's `config.toml`: a managed `model_provider` block before the first table and a
 * managed provider table at the end (reference §9.4). The edit moves whole top-level statements
 * (`toml_statements.ts`) so the user's comments and layout stay; a TOML parser reads the file before the edit and
 * checks the result after it, and an edit that would leave invalid TOML or change any other setting is refused
 * with nothing written.
 *
 * @module
 */
import { parse } from "smol-toml";
import type { Detached } from "../claude_code/managed_file.ts";
import { SettingsError } from "../claude_code/settings_error.ts";
import { tomlStatements } from "./toml_statements.ts";

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
const PREVIOUS = "# previous_model_provider = ";

type Toml = Record<string, unknown>;

/** The provider table attach writes, as Codex reads it. */
function providerTable(port: number): Toml {
  return {
    name: "Collectivus OpenAI Proxy",
    base_url: `http://127.0.0.1:${port}/v1`,
    requires_openai_auth: true,
    wire_api: "responses",
    supports_websockets: false,
  };
}

/** Adds the managed blocks; the previous root `model_provider` is remembered in the block and reported. */
export function attachCodexConfig(
  original: string | undefined,
  spec: CodexAttachSpec,
): { text: string; info: { previousModelProvider?: string } } {
  const text = original ?? "";
  const before = parseToml(text, "MALFORMED_TOML", "is not valid TOML");
  const { lines, eol } = splitLines(text);
  const stripped = strip(lines, { keepRootProvider: false });
  const previous = stripped.managedPrevious ?? stripped.rootProvider;
  const rootBlock = [
    ROOT_BEGIN,
    `# attached_at = ${tomlString(spec.attachedAt)}`,
    `# version = ${tomlString(spec.version)}`,
    `# port = ${spec.port}`,
    ...(previous !== undefined ? [`${PREVIOUS}${tomlString(previous)}`] : []),
    'model_provider = "collectivus"',
    ROOT_END,
  ];
  const table = providerTable(spec.port);
  const tableBlock = [
    TABLE_BEGIN,
    "[model_providers.collectivus]",
    ...Object.entries(table).map(([key, value]) => `${key} = ${typeof value === "string" ? tomlString(value) : value}`),
    TABLE_END,
  ];
  const body = stripped.lines;
  const at = rootInsertPoint(body);
  const out = finish([...body.slice(0, at), "", ...rootBlock, "", ...body.slice(at), "", ...tableBlock], eol);
  const after = parseToml(out, "UNSAFE_EDIT", "cannot be attached without making it invalid TOML");
  const providers = after.model_providers as Toml | undefined;
  if (
    after.model_provider !== "collectivus" || canonical(providers?.collectivus) !== canonical(table) ||
    canonical(withoutAttach(before)) !== canonical(withoutAttach(after))
  ) {
    throw new SettingsError("UNSAFE_EDIT", "cannot be attached without changing other settings; nothing was written");
  }
  return { text: out, info: previous !== undefined ? { previousModelProvider: previous } : {} };
}

/** Removes the managed blocks and restores the previous `model_provider` when the root has none. */
export function detachCodexConfig(current: string): Detached {
  const { lines, eol } = splitLines(current);
  const marked = tomlStatements(lines).some((s) =>
    s.kind === "comment" && [ROOT_BEGIN, TABLE_BEGIN].includes(lines[s.start].trim())
  );
  if (!marked) return { text: current, changed: false, warnings: [] };
  const before = parseToml(current, "MALFORMED_TOML", "is not valid TOML");
  const stripped = strip(lines, { keepRootProvider: true });
  const body = stripped.lines;
  const warnings: string[] = [];
  if (stripped.rootProvider !== undefined && stripped.managedPrevious !== undefined) {
    warnings.push(`model_provider was changed externally; leaving ${stripped.rootProvider} in place`);
  } else if (stripped.rootProvider === undefined && stripped.managedPrevious !== undefined) {
    body.splice(rootInsertPoint(body), 0, `model_provider = ${tomlString(stripped.managedPrevious)}`);
  }
  const text = finish(body, eol);
  const after = parseToml(text, "UNSAFE_EDIT", "cannot be detached without making it invalid TOML");
  if (
    (after.model_providers as Toml | undefined)?.collectivus !== undefined ||
    canonical(withoutAttach(before)) !== canonical(withoutAttach(after))
  ) {
    throw new SettingsError("UNSAFE_EDIT", "cannot be detached without changing other settings; nothing was written");
  }
  return { text, changed: true, warnings };
}

/**
 * The lines without the managed blocks, any unmanaged `[model_providers.collectivus]` table and (unless kept) the
 * root `model_provider`; with the previous value a managed block remembered and the root value found.
 */
function strip(
  lines: string[],
  options: { keepRootProvider: boolean },
): { lines: string[]; rootProvider?: string; managedPrevious?: string } {
  const statements = tomlStatements(lines);
  const kept: string[] = [];
  let managedPrevious: string | undefined;
  let rootProvider: string | undefined;
  let inRoot = true;
  let inProviderTable = false;
  for (let i = 0; i < statements.length; i++) {
    const { kind, start, end } = statements[i];
    const trimmed = lines[start].trim();
    if (kind === "comment" && (trimmed === ROOT_BEGIN || trimmed === TABLE_BEGIN)) {
      const endMarker = trimmed === ROOT_BEGIN ? ROOT_END : TABLE_END;
      const close = statements.findIndex((s, j) =>
        j > i && s.kind === "comment" && lines[s.start].trim() === endMarker
      );
      if (close === -1) {
        throw new SettingsError("MALFORMED_MARKER", "unterminated collectivus-managed Codex config block");
      }
      for (const s of statements.slice(i + 1, close)) {
        if (s.kind === "comment") managedPrevious ??= rememberedPrevious(lines[s.start].trim());
      }
      i = close;
      continue;
    }
    if (kind === "table") {
      inRoot = false;
      inProviderTable = isProviderHeader(lines[start]);
    }
    if (inProviderTable) continue;
    const statement = lines.slice(start, end);
    if (inRoot && kind === "value") {
      const value = rootProviderOf(statement.join("\n"));
      if (value !== undefined) {
        rootProvider ??= value;
        if (!options.keepRootProvider) continue;
      }
    }
    kept.push(...statement);
  }
  return { lines: kept, rootProvider, managedPrevious };
}

/** The value of a statement that is exactly a root `model_provider = <string>`, in any quoting. */
function rootProviderOf(statement: string): string | undefined {
  const value = tryParse(statement);
  if (value === undefined || Object.keys(value).length !== 1) return undefined;
  return typeof value.model_provider === "string" ? value.model_provider : undefined;
}

/** Whether a table header line is `[model_providers.collectivus]`, in any quoting or spacing. */
function isProviderHeader(line: string): boolean {
  const value = tryParse(line);
  const providers = value?.model_providers;
  return Object.keys(value ?? {}).length === 1 && isTable(providers) && Object.keys(providers).length === 1 &&
    isTable(providers.collectivus) && Object.keys(providers.collectivus).length === 0;
}

/** The value of a `# previous_model_provider = "..."` line of a managed block. */
function rememberedPrevious(line: string): string | undefined {
  if (!line.startsWith(PREVIOUS)) return undefined;
  const value = tryParse(line.slice(2))?.previous_model_provider;
  return typeof value === "string" ? value : undefined;
}

/**
 * Where the root block goes: before the first table, and before the comments right above it (they describe it).
 * At the end when there is no table.
 */
function rootInsertPoint(lines: string[]): number {
  const statements = tomlStatements(lines);
  const first = statements.findIndex((s) => s.kind === "table");
  if (first === -1) return lines.length;
  let at = first;
  while (at > 0 && statements[at - 1].kind === "comment") at--;
  return statements[at].start;
}

/** `text` as TOML; throws {@link SettingsError} with `code` and the parser's reason. */
function parseToml(text: string, code: "MALFORMED_TOML" | "UNSAFE_EDIT", what: string): Toml {
  try {
    return parse(text, { integersAsBigInt: "asNeeded" }) as Toml;
  } catch (error) {
    const { line, column } = error as { line?: number; column?: number };
    const reason = String((error as Error).message).split("\n")[0].replace(/^Invalid TOML document: /, "");
    const where = line !== undefined ? `line ${line}, column ${column}: ` : "";
    const next = code === "MALFORMED_TOML" ? "fix it and retry" : "nothing was written";
    throw new SettingsError(code, `${what} (${where}${reason}); ${next}`);
  }
}

function tryParse(text: string): Toml | undefined {
  try {
    return parse(text) as Toml;
  } catch {
    // Not a statement on its own (or not TOML at all): it is not one of ours.
    return undefined;
  }
}

function isTable(value: unknown): value is Toml {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A parsed document without what attach sets: the root `model_provider` and `model_providers.collectivus`. */
function withoutAttach(document: Toml): Toml {
  const { model_provider: _provider, model_providers, ...rest } = document;
  if (!isTable(model_providers)) return model_providers === undefined ? rest : { ...rest, model_providers };
  const { collectivus: _ours, ...others } = model_providers;
  return Object.keys(others).length === 0 ? rest : { ...rest, model_providers: others };
}

/** A parsed TOML value as text that compares equal exactly when the values are equal (keys sorted). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (typeof v === "bigint") return `bigint:${v}`;
    if (typeof v === "number" && !Number.isFinite(v)) return `number:${v}`;
    if (isTable(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]));
    return v;
  }) ?? "undefined";
}

/** A TOML basic string for `value` (JSON's escapes are TOML's, plus DEL, which TOML wants escaped). */
function tomlString(value: string): string {
  return JSON.stringify(value).replaceAll("\x7f", "\\u007F");
}

/** The lines of `text` and the line break to write: CRLF when the file uses it, else LF. */
function splitLines(text: string): { lines: string[]; eol: string } {
  const eol = /\r\n/.test(text) ? "\r\n" : "\n";
  return { lines: text === "" ? [] : text.replace(/\r?\n$/, "").split(/\r?\n/), eol };
}

/**
 * Collapses runs of blank lines between statements (never inside a multiline string), trims blank lines at both
 * ends, and ends with one line break.
 */
function finish(lines: string[], eol: string): string {
  const out: string[] = [];
  let blank = true;
  for (const { kind, start, end } of tomlStatements(lines)) {
    if (kind === "blank" && blank) continue;
    blank = kind === "blank";
    out.push(...lines.slice(start, end));
  }
  if (blank) out.pop();
  return out.length === 0 ? "" : `${out.join(eol)}${eol}`;
}
