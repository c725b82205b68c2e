/**
 * Finding a Gas City to offer in the walkthrough: a `city.toml` in the working directory (that city), else the cities a
 * supervisor running on this machine serves (`GET /v0/cities` at the address of `~/.gc/supervisor.toml`, by default
 * http://127.0.0.1:8372), each with its directory when it is on this disk.
 *
 * @module
 */
import { type CityDir, readCityDir } from "../../platform/gascity/city_toml.ts";
import { localSupervisorUrl } from "../../platform/gascity/supervisor_url.ts";
import { SupervisorClient } from "../../server/gascity/supervisor_client.ts";

/** A city found: its name and, when its directory holds its `city.toml` here, that directory. */
export type FoundCity = { name: string; dir?: string };

/** What {@linkcode detectGasCity} found. */
export interface FoundGasCity {
  /** The supervisor API the cities are attached with. */
  apiUrl: string;
  cities: FoundCity[];
  /** The city is the working directory's (else the supervisor's list). */
  here: boolean;
  /** The names the supervisor serves; undefined when it did not answer. */
  served?: string[];
}

/** How long the walkthrough waits for a supervisor (a closed port answers at once; this is for a hung one). */
const PROBE_MS = 1500;

/**
 * Looks for a Gas City (see the module doc); undefined when there is none. A `city.toml` that does not parse and a
 * supervisor that does not answer are taken as absent: the walkthrough must not stop on them.
 *
 * @param cwd The working directory.
 * @param env Where `GC_HOME` is read.
 * @param home The user's home directory.
 */
export async function detectGasCity(
  cwd: string,
  env: Record<string, string | undefined>,
  home: string,
): Promise<FoundGasCity | undefined> {
  const apiUrl = await localSupervisorUrl(env, home);
  const [here, listed] = await Promise.all([
    readCityDir(cwd).catch(() => undefined),
    new SupervisorClient(apiUrl, { timeoutMs: PROBE_MS }).cityInfos().catch(() => undefined),
  ]);
  const served = listed?.map((c) => c.name);
  if (here) return { apiUrl, cities: [found(here)], here: true, ...(served ? { served } : {}) };
  if (!listed?.length) return undefined;
  const cities = await Promise.all(listed.map(async (c): Promise<FoundCity> => {
    // The directory counts only when its city.toml names the same city (the supervisor may run on another host).
    const dir = c.path ? await readCityDir(c.path).catch(() => undefined) : undefined;
    return dir?.name === c.name ? found(dir) : { name: c.name };
  }));
  return { apiUrl, cities, here: false, served: served! };
}

function found(city: CityDir): FoundCity {
  return { name: city.name, dir: city.dir };
}
