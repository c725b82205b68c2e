/**
 * The admin credentials an operator's machine keeps for the Central server's admin API (invites):
 * `~/.hyp/collectivus/admin.json` = `{central_url, admin_token}`, 0600. Commands that call the admin API resolve
 * them from flags first, then `COLLECTIVUS_ADMIN_URL` / `COLLECTIVUS_ADMIN_TOKEN`, then this file (reference §2.7).
 *
 * @module
 */
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { atomicWrite } from "./atomic_write.ts";
import { errorMessage } from "./runtime.ts";

/** What is kept. */
export interface AdminCredentials {
  central_url: string;
  admin_token: string;
}

/** `<home>/.hyp/collectivus/admin.json`. */
export function adminCredentialsPath(home: string): string {
  return path.join(home, ".hyp", "collectivus", "admin.json");
}

/** The saved credentials, or undefined when there are none. Throws when the file exists but cannot be used. */
export async function readAdminCredentials(file: string): Promise<AdminCredentials | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw new Error(`Cannot read ${file}: ${errorMessage(error)}`);
  }
  let value: Partial<AdminCredentials>;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`Cannot read ${file}: it is not JSON; run 'ctvs admin configure' again`);
  }
  if (typeof value?.central_url !== "string" || typeof value.admin_token !== "string") {
    throw new Error(`Cannot read ${file}: it needs central_url and admin_token; run 'ctvs admin configure' again`);
  }
  return { central_url: value.central_url, admin_token: value.admin_token };
}

/** Saves `credentials` (0600, atomically). */
export async function writeAdminCredentials(file: string, credentials: AdminCredentials): Promise<void> {
  await atomicWrite(file, JSON.stringify(credentials, null, 2) + "\n");
}

/** Removes the saved credentials; false when there were none. */
export async function clearAdminCredentials(file: string): Promise<boolean> {
  try {
    await rm(file);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return false;
    throw error;
  }
}

/**
 * The credentials to use: each of `flags`, then `env` (`COLLECTIVUS_ADMIN_URL`, `COLLECTIVUS_ADMIN_TOKEN`), then the
 * file, field by field. Undefined fields stay undefined.
 */
export async function resolveAdminCredentials(
  flags: { url?: string; token?: string },
  env: Record<string, string | undefined>,
  file: string,
): Promise<Partial<AdminCredentials>> {
  const saved = await readAdminCredentials(file);
  return {
    central_url: flags.url ?? (env.COLLECTIVUS_ADMIN_URL || undefined) ?? saved?.central_url,
    admin_token: flags.token ?? (env.COLLECTIVUS_ADMIN_TOKEN || undefined) ?? saved?.admin_token,
  };
}

/**
 * A token shown without giving it away: its first and last 4 characters and its length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(redactToken("abcdefghijklmnopqrstuvwxyz0123456789"), "abcd…6789 (36 chars)");
 * assert.equal(redactToken("short"), "*** (5 chars)");
 * ```
 */
export function redactToken(token: string): string {
  if (token.length < 16) return `*** (${token.length} chars)`;
  return `${token.slice(0, 4)}…${token.slice(-4)} (${token.length} chars)`;
}
