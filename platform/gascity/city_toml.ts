/**
 * A Gas City workspace on disk: a directory holding `city.toml`, whose `[workspace] name` is the city's name (the
 * name the supervisor serves it under). `ctvs gascity attach <path>` and `ctvs init gascity` read it.
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";
import { parse } from "smol-toml";

/** A city found on disk. */
export interface CityDir {
  /** The directory holding `city.toml`. */
  dir: string;
  /** `[workspace] name`, else the directory's name. */
  name: string;
}

/**
 * The city at `target` (a directory with `city.toml`, or the `city.toml` itself); undefined when there is none.
 * Throws a `SyntaxError` naming the file when `city.toml` is not valid TOML.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = await mkdtemp(join(tmpdir(), "city-"));
 * await writeFile(join(dir, "city.toml"), '[workspace]\nname = "bright-lights"\n');
 * assert.deepEqual(await readCityDir(dir), { dir, name: "bright-lights" });
 * assert.equal(await readCityDir(join(dir, "nope")), undefined);
 * await rm(dir, { recursive: true });
 * ```
 */
export async function readCityDir(target: string): Promise<CityDir | undefined> {
  const resolved = path.resolve(target);
  const file = path.basename(resolved) === "city.toml" ? resolved : path.join(resolved, "city.toml");
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch {
    return undefined;
  }
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (error) {
    throw new SyntaxError(`Cannot read ${file}: ${(error as Error).message.split("\n")[0]}`);
  }
  const workspace = doc.workspace as { name?: unknown } | undefined;
  const dir = path.dirname(file);
  const name = typeof workspace?.name === "string" && workspace.name.trim() !== ""
    ? workspace.name.trim()
    : path.basename(dir);
  return { dir, name };
}
