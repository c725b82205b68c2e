/**
 * The daemon's environment file (`~/.hyp/collectivus.env` by default): secrets such as AWS keys that a daemon started
 * by systemd or launchd cannot take from a shell. systemd reads it through `EnvironmentFile=`; under launchd (and for
 * anyone) `ctvs --env-file <path>` reads it. The syntax is the part both agree on:
 *
 * - one `NAME=value` a line, `NAME` made of letters, digits and `_`, not starting with a digit;
 * - blank lines, and lines starting with `#` or `;`, are ignored;
 * - a value may be wrapped in `"..."` (where a backslash before `"`, `\`, `` ` `` or `$` stands for that character,
 *   and any other backslash is kept) or `'...'` (taken as written); an unquoted value is the rest of the line,
 *   surrounding spaces removed (a `#` inside it is part of it).
 *
 * Anything else (an `export` prefix, a line without `=`, an unterminated quote, a line continued with a trailing
 * backslash) is an error naming the line, so a file never means one thing to systemd and another to ctvs.
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { homeDir } from "./paths.ts";

/** `~/.hyp/collectivus.env`: the environment file `ctvs install` uses when it exists. */
export function defaultEnvFilePath(home: string = homeDir()): string {
  return path.join(home, ".hyp", "collectivus.env");
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses an environment file; throws a SyntaxError `line <n>: <problem>` at the first line it cannot read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const text = '# AWS\nAWS_ACCESS_KEY_ID=AKIA123\nAWS_SECRET_ACCESS_KEY="a b\\"c"\nREGION = \'eu-west-1\'\n';
 * assert.deepEqual(parseEnvFile(text), {
 *   AWS_ACCESS_KEY_ID: "AKIA123",
 *   AWS_SECRET_ACCESS_KEY: 'a b"c',
 *   REGION: "eu-west-1",
 * });
 * assert.throws(() => parseEnvFile("export A=1"), /line 1: "export" is not supported/);
 * ```
 */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const where = `line ${i + 1}`;
    if (/^export\s/.test(line)) {
      throw new SyntaxError(`${where}: "export" is not supported (systemd would not read it); write NAME=value`);
    }
    const equals = line.indexOf("=");
    if (equals === -1) throw new SyntaxError(`${where}: expected NAME=value`);
    const name = line.slice(0, equals).trim();
    if (!NAME.test(name)) {
      throw new SyntaxError(`${where}: ${JSON.stringify(name)} is not a variable name (letters, digits and _)`);
    }
    values[name] = parseValue(line.slice(equals + 1).trim(), where);
  }
  return values;
}

function parseValue(raw: string, where: string): string {
  const quote = raw[0];
  if (quote !== '"' && quote !== "'") {
    if (raw.endsWith("\\")) throw new SyntaxError(`${where}: a value cannot continue on the next line`);
    return raw;
  }
  let value = "";
  for (let i = 1; i < raw.length; i++) {
    const c = raw[i];
    if (c === quote) {
      if (raw.slice(i + 1).trim() !== "") throw new SyntaxError(`${where}: text after the closing ${quote}`);
      return value;
    }
    if (c === "\\" && quote === '"' && i + 1 < raw.length && '"\\`$'.includes(raw[i + 1])) {
      value += raw[++i];
      continue;
    }
    value += c;
  }
  throw new SyntaxError(`${where}: the value has no closing ${quote}`);
}

/** What reading an environment file found. */
export interface EnvFile {
  /** The variables it sets. */
  values: Record<string, string>;
  /** The file's permission bits (`0o600` when only the owner can read it). */
  mode: number;
}

/**
 * Reads and parses `file`. Rejects with an Error `Cannot read the environment file <file>: <reason>` when it is
 * missing, unreadable or malformed.
 */
export async function readEnvFile(file: string): Promise<EnvFile> {
  try {
    const [text, stat] = await Promise.all([fs.readFile(file, "utf8"), fs.stat(file)]);
    return { values: parseEnvFile(text), mode: stat.mode & 0o777 };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT"
      ? "it does not exist"
      : error instanceof Error
      ? error.message
      : String(error);
    throw new Error(`Cannot read the environment file ${file}: ${reason}`, { cause: error });
  }
}

/** Whether users other than the owner may read or write a file of `mode` (always false on Windows). */
export function exposedToOthers(mode: number): boolean {
  return process.platform !== "win32" && (mode & 0o077) !== 0;
}

/**
 * Sets each variable of `values` in `env` that is not already set (or set empty): the process's own environment
 * wins, as with Deno's and Node's `--env-file`. Returns the names it set.
 */
export function applyEnv(values: Record<string, string>, env: Record<string, string | undefined>): string[] {
  const set: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (env[name] !== undefined && env[name] !== "") continue;
    env[name] = value;
    set.push(name);
  }
  return set;
}
