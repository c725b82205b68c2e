/**
 * The last config a gateway ran from its Central server, kept so that a gateway started with
 * `--config-endpoint <setup URL>` starts again when that URL no longer answers: its one-shot token is spent after
 * the first start, or Central is down. Kept at `~/.hyp/collectivus/gateway-config.json` (0600), rewritten whenever
 * Central vends a new config.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Config } from "../../platform/config/types.ts";
import { validateConfig } from "../../platform/config/validate.ts";
import { homeDir } from "../../platform/paths.ts";
import { atomicWrite } from "../../platform/atomic_write.ts";

/** `~/.hyp/collectivus/gateway-config.json`. */
export function vendedConfigPath(): string {
  return path.join(homeDir(), ".hyp", "collectivus", "gateway-config.json");
}

/** Keeps `config` as the last vended one. */
export async function saveVendedConfig(config: Config, file: string = vendedConfigPath()): Promise<void> {
  await atomicWrite(file, JSON.stringify({ saved_at: new Date().toISOString(), config }, null, 2) + "\n");
}

/**
 * The last vended config, if there is one for a Central at `endpoint`'s origin; undefined otherwise. A file that does
 * not read or validate counts as none.
 */
export async function loadVendedConfig(
  endpoint: string,
  file: string = vendedConfigPath(),
): Promise<{ config: Config; savedAt: string } | undefined> {
  const saved = await readVendedConfig(file);
  if (!saved || origin(saved.config.central_server!.url) !== origin(endpoint)) return undefined;
  return saved;
}

/** The last vended gateway config in `file`, whichever Central vended it; undefined when missing or not valid. */
export async function readVendedConfig(
  file: string = vendedConfigPath(),
): Promise<{ config: Config; savedAt: string } | undefined> {
  let saved: { saved_at?: unknown; config?: unknown };
  try {
    saved = JSON.parse(await readFile(file, "utf8"));
  } catch {
    return undefined;
  }
  try {
    const { config } = validateConfig(saved.config);
    if (config.role !== "gateway" || !origin(config.central_server?.url ?? "")) return undefined;
    return { config, savedAt: typeof saved.saved_at === "string" ? saved.saved_at : "an unknown time" };
  } catch {
    // Not valid (any more): as if there were none.
    return undefined;
  }
}

/** The origin of `url`, or undefined when it is not a URL (written for Node 20, which may lack `URL.parse`). */
function origin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
