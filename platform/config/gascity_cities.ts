/**
 * Adding and removing a city in a config file's `gascity` list (`ctvs gascity attach|detach`), edited in place with
 * jsonc-parser so the file's comments and other keys survive, validated before it is written, and written only if
 * the file did not change meanwhile.
 *
 * @module
 */
import { applyEdits, modify } from "jsonc-parser";
import { readSnapshot, writeIfUnchanged } from "../claude_code/guarded_file.ts";
import { ConfigError } from "./config_error.ts";
import { parseConfigText } from "./parse_jsonc.ts";
import type { Config, GascityConfig } from "./types.ts";
import { validateConfig } from "./validate.ts";

const FORMAT = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: "\n" } };

/** What an attach did. */
export type AttachOutcome = "added" | "updated" | "unchanged";

/** The config in `file`, parsed and validated (throws `ConfigError`; a missing file says how to make one). */
async function current(
  file: string,
): Promise<{ text: string; config: Config; snapshot: Awaited<ReturnType<typeof readSnapshot>> }> {
  const snapshot = await readSnapshot(file);
  if (snapshot.text === undefined) {
    throw new ConfigError(
      `config file not found: ${file}; run \`ctvs init\` to write one (or pass --config <path>)`,
    );
  }
  const config = validateConfig(parseConfigText(snapshot.text, file)).config;
  return { text: snapshot.text, config, snapshot };
}

/** Writes `cities` as the file's `gascity` list, after checking that the whole config stays valid. */
async function write(
  file: string,
  text: string,
  snapshot: Awaited<ReturnType<typeof readSnapshot>>,
  cities: GascityConfig[],
) {
  const next = applyEdits(text, modify(text, ["gascity"], cities, FORMAT));
  validateConfig(parseConfigText(next, file));
  await writeIfUnchanged(snapshot, next);
}

/**
 * Adds `city` to the config in `file`, or replaces the entry of the same name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = await mkdtemp(join(tmpdir(), "cities-"));
 * const file = join(dir, "collectivus.json");
 * await writeFile(file, '{\n  // mine\n  "version": 1\n}\n');
 * assert.equal(await attachCity(file, { name: "alpha", api_url: "http://127.0.0.1:8372" }), "added");
 * assert.equal(await attachCity(file, { name: "alpha", api_url: "http://127.0.0.1:8372" }), "unchanged");
 * assert.match(await readFile(file, "utf8"), /\/\/ mine[\s\S]*"name": "alpha"/);
 * assert.equal(await detachCity(file, "alpha"), true);
 * assert.equal(await detachCity(file, "alpha"), false);
 * await rm(dir, { recursive: true });
 * ```
 */
export async function attachCity(file: string, city: GascityConfig): Promise<AttachOutcome> {
  const { text, config, snapshot } = await current(file);
  const cities = config.gascity ?? [];
  const at = cities.findIndex((c) => c.name === city.name);
  if (at >= 0 && JSON.stringify(cities[at]) === JSON.stringify(city)) return "unchanged";
  const next = at >= 0 ? cities.map((c, i) => i === at ? city : c) : [...cities, city];
  await write(file, text, snapshot, next);
  return at >= 0 ? "updated" : "added";
}

/** Removes the city called `name`; resolves false when the config has none. */
export async function detachCity(file: string, name: string): Promise<boolean> {
  const { text, config, snapshot } = await current(file);
  const cities = config.gascity ?? [];
  if (!cities.some((c) => c.name === name)) return false;
  await write(file, text, snapshot, cities.filter((c) => c.name !== name));
  return true;
}
