/**
 * Builds `bundled.ts` from the skill files under `skills/`. The npm build bundles `main.ts` only, so the skills ship
 * as strings in a module rather than as files read at run time. Run after editing `skills/**`:
 * `deno run --allow-all platform/skills/generate_bundled.ts`.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import process from "node:process";

/**
 * Which clients each skill is for (reference §9.6); a skill directory missing here fails the build. A skill for no
 * client is not installed by `ctvs skills install`: `ctvs init gascity` writes `ctvs-gascity` into a city's own
 * `.claude/skills/`.
 */
export const SKILL_CLIENTS: Record<string, readonly ("claude" | "codex")[]> = {
  "collectivus-query": ["claude", "codex"],
  "ctvs-gascity": [],
  "ctvs-ignore": ["claude"],
  "ctvs-unignore": ["claude"],
};

/** The repository's `skills/` directory. */
export const SKILLS_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..", "skills");

/** Every skill under `dir`: its name and its files (relative path, with `/`, to text), sorted. */
export function readSkillTree(dir: string = SKILLS_DIR): { name: string; files: Record<string, string> }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()
    .map((name) => {
      const root = path.join(dir, name);
      const files: Record<string, string> = {};
      for (const rel of (fs.readdirSync(root, { recursive: true }) as string[]).sort()) {
        const full = path.join(root, rel);
        if (fs.statSync(full).isFile()) files[rel.split(path.sep).join("/")] = fs.readFileSync(full, "utf8");
      }
      return { name, files };
    });
}

/** The text of `bundled.ts` for the skills under `dir`. */
export function renderBundled(dir: string = SKILLS_DIR): string {
  const skills = readSkillTree(dir).map(({ name, files }) => {
    const clients = SKILL_CLIENTS[name];
    if (!clients) throw new Error(`Cannot bundle skills/${name}: add it to SKILL_CLIENTS in generate_bundled.ts`);
    return { name, clients, files };
  });
  return `/**
 * The bundled agent skills, generated from \`skills/**\` by \`platform/skills/generate_bundled.ts\`: edit the files
 * there and rerun it (a test checks the two agree).
 *
 * @module
 */

/** One bundled skill: its directory name, the clients it is for, and its files by relative path. */
export interface BundledSkill {
  name: string;
  clients: readonly ("claude" | "codex")[];
  files: Readonly<Record<string, string>>;
}

/** Every bundled skill. */
export const BUNDLED_SKILLS: readonly BundledSkill[] = ${JSON.stringify(skills, null, 2)};
`;
}

if (import.meta.main) {
  const out = path.join(path.dirname(new URL(import.meta.url).pathname), "bundled.ts");
  fs.writeFileSync(out, renderBundled());
  execFileSync(process.execPath, ["fmt", "--quiet", out], { stdio: "inherit" });
  console.log(`wrote ${out}`);
}
