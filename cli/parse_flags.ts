/**
 * Flag parsing shared by every command: `node:util` parseArgs in strict mode, with its errors reworded into
 * {@link UsageError}s that name the flag and what it needs.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { UsageError } from "./usage_error.ts";

/** One flag a command accepts. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** The message when a string flag is given without a value, e.g. `--config requires a path or URL`. */
  requires?: string;
}

/** Parsed flags by name, plus positionals. */
export interface ParsedFlags {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/**
 * Parses `argv` against `specs`. `--flag value` and `--flag=value` both work. Unknown flags, and positionals when
 * `maxPositionals` is passed, become `unknown argument: X`.
 */
export function parseFlags(
  argv: string[],
  specs: Record<string, FlagSpec>,
  usage: string,
  options: { maxPositionals?: number } = {},
): ParsedFlags {
  const parseOptions = Object.fromEntries(
    Object.entries(specs).map(([name, { type, short, multiple }]) => [
      name,
      { type, ...(short ? { short } : {}), ...(multiple ? { multiple } : {}) },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: parseOptions, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(reword(error, argv, specs), usage);
  }
  const max = options.maxPositionals ?? 0;
  if (parsed.positionals.length > max) {
    throw new UsageError(`unknown argument: ${parsed.positionals[max]}`, usage);
  }
  for (const [name, spec] of Object.entries(specs)) {
    const value = parsed.values[name];
    if (spec.type === "string" && (value === "" || (Array.isArray(value) && value.includes("")))) {
      throw new UsageError(spec.requires ?? `--${name} requires a value`, usage);
    }
  }
  return { values: parsed.values as ParsedFlags["values"], positionals: parsed.positionals };
}

function reword(error: unknown, argv: string[], specs: Record<string, FlagSpec>): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? argv.find((a) => a.startsWith("-")) ?? "";
    return `unknown argument: ${flag}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    // Either a string flag without its value, or a value given to a boolean flag (`--strict=yes`).
    const name = /'--([^' <=]+)/.exec(message)?.[1];
    const spec = name ? specs[name] : undefined;
    if (spec?.type === "string") return spec.requires ?? `--${name} requires a value`;
    if (spec?.type === "boolean") return `--${name} does not take a value`;
  }
  return message;
}

/**
 * The whole number a flag was given (`--max-uses 3`); a {@linkcode UsageError} with `usage` otherwise: "`flag` must be
 * a whole number", or "a positive whole number" when `positive` (then 0 is refused too).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(wholeNumberFlag("3", "--max-uses", "usage"), 3);
 * assert.throws(() => wholeNumberFlag("two", "--max-uses", "usage"), /--max-uses must be a whole number \(got "two"\)/);
 * assert.throws(() => wholeNumberFlag("0", "--ttl-seconds", "usage", { positive: true }), /a positive whole number/);
 * ```
 */
export function wholeNumberFlag(
  text: string,
  flag: string,
  usage: string,
  options: { positive?: boolean } = {},
): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || (options.positive && n <= 0)) {
    throw new UsageError(`${flag} must be a ${options.positive ? "positive " : ""}whole number (got "${text}")`, usage);
  }
  return n;
}
