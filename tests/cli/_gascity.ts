/**
 * Shared set-up of the `ctvs gascity` CLI tests: a temporary home for a config (`gateway_id` gw, a sink under
 * `rec/`) naming the cities given, and its PID file path.
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { GascityConfig } from "../../platform/config/types.ts";
import { tempDir } from "../helpers/child.ts";

/** A config and where it records. */
export interface GascityHome {
  dir: string;
  config: string;
  root: string;
  pidFile: string;
  remove(): Promise<void>;
}

/** Writes the config (`text` replaces the JSON, e.g. to keep comments) and returns the paths. */
export async function gascityHome(cities: GascityConfig[], text?: (root: string) => string): Promise<GascityHome> {
  const tmp = await tempDir("ctvs-gascity-cli-");
  const root = path.join(tmp.dir, "rec");
  const config = path.join(tmp.dir, "collectivus.json");
  await fs.writeFile(
    config,
    text?.(root) ??
      JSON.stringify({ version: 1, gateway_id: "gw", sink: { type: "file", dir: root }, gascity: cities }),
  );
  return { dir: tmp.dir, config, root, pidFile: path.join(tmp.dir, "ctvs.pid"), remove: tmp.remove };
}
