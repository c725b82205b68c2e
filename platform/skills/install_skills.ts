/**
 * Installs the bundled skills into Claude Code's and Codex's skill directories (reference §9.6): every destination
 * gets a fresh copy and a `.collectivus-skill.json` marker; a directory without the marker is the user's own and is
 * only replaced with `force`.
 *
 * @module
 */
import fs from "node:fs/promises";
import process from "node:process";
import path from "node:path";
import { codexHome } from "../codex/attach.ts";
import { unlessMissing } from "../fs_error.ts";
import { BUNDLED_SKILLS, type BundledSkill } from "./bundled.ts";

/** A client that reads skills. */
export type SkillClient = "claude" | "codex";

/** The marker file that says collectivus owns a skill directory. */
export const MARKER = ".collectivus-skill.json";

/** What happened (or, in a dry run, would happen) to one destination. */
export type SkillAction = "installed" | "updated" | "would-install" | "would-update";

/** One destination's result. */
export interface SkillResult {
  skill: string;
  client: SkillClient;
  dir: string;
  action: SkillAction;
}

/** Where and how to install. */
export interface InstallSkillsOptions {
  home: string;
  env: Record<string, string | undefined>;
  clients: readonly SkillClient[];
  force?: boolean;
  dryRun?: boolean;
  now?: Date;
  /** The skills to install (default: the bundled ones). */
  skills?: readonly BundledSkill[];
}

/** A destination directory that exists and is not ours, without `force`. */
export class UnmanagedSkillError extends Error {
  constructor(readonly dir: string) {
    super(`${dir} already exists and is not managed by collectivus; pass --force to overwrite`);
    this.name = "UnmanagedSkillError";
  }
}

/** The skill directories of `client`: Claude has one, Codex two (deduplicated when they coincide). */
export function skillRoots(client: SkillClient, home: string, env: Record<string, string | undefined>): string[] {
  if (client === "claude") return [path.join(home, ".claude", "skills")];
  return [...new Set([path.join(home, ".agents", "skills"), path.join(codexHome(home, env), "skills")])];
}

/**
 * Installs the skills for `clients`. Every destination is checked before anything is written, so an unmanaged
 * directory fails the whole run with nothing changed.
 */
export async function installSkills(options: InstallSkillsOptions): Promise<SkillResult[]> {
  const planned: (SkillResult & { files: BundledSkill["files"] })[] = [];
  for (const client of options.clients) {
    for (const skill of options.skills ?? BUNDLED_SKILLS) {
      if (!skill.clients.includes(client)) continue;
      for (const root of skillRoots(client, options.home, options.env)) {
        const dir = path.join(root, skill.name);
        const state = await dirState(dir);
        if (state === "unmanaged" && !options.force) throw new UnmanagedSkillError(dir);
        const fresh = state === "missing";
        const action: SkillAction = options.dryRun
          ? (fresh ? "would-install" : "would-update")
          : (fresh ? "installed" : "updated");
        planned.push({ skill: skill.name, client, dir, action, files: skill.files });
      }
    }
  }
  if (options.dryRun) return planned.map(({ files: _, ...result }) => result);
  const installedAt = (options.now ?? new Date()).toISOString();
  for (const { skill, client, dir, files } of planned) {
    const marker = { managed_by: "collectivus", skill, client, installed_at: installedAt };
    await replaceDir(dir, { ...files, [MARKER]: `${JSON.stringify(marker, null, 2)}\n` });
  }
  return planned.map(({ files: _, ...result }) => result);
}

/** Whether `dir` is missing, carries our marker, or is someone else's. */
async function dirState(dir: string): Promise<"missing" | "managed" | "unmanaged"> {
  try {
    await fs.lstat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw error;
  }
  const file = path.join(dir, MARKER);
  const text = await unlessMissing(fs.readFile(file, "utf8"), "read", file);
  try {
    return text !== undefined && JSON.parse(text)?.managed_by === "collectivus" ? "managed" : "unmanaged";
  } catch {
    // A marker that is not ours (not JSON): the directory is the user's.
    return "unmanaged";
  }
}

/** Writes `files` into a sibling temp directory, then swaps it in, so a reader never sees half a skill. */
async function replaceDir(dir: string, files: Record<string, string>): Promise<void> {
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await fs.rm(staging, { recursive: true, force: true });
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(staging, ...rel.split("/"));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text);
  }
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rename(staging, dir);
}
