/**
 * The embedded skills agree with the files under `skills/`, and each one is a well-formed skill.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { BUNDLED_SKILLS } from "../../../platform/skills/bundled.ts";
import { readSkillTree, renderBundled, SKILLS_DIR } from "../../../platform/skills/generate_bundled.ts";
import { tempDir } from "../../helpers/child.ts";

test("bundled.ts carries exactly the files under skills/ (rerun generate_bundled.ts if this fails)", () => {
  const tree = readSkillTree();
  assert.deepEqual(BUNDLED_SKILLS.map((s) => ({ name: s.name, files: s.files })), tree);
  assert.deepEqual(BUNDLED_SKILLS.map((s) => s.name), [
    "collectivus-query",
    "ctvs-gascity",
    "ctvs-ignore",
    "ctvs-unignore",
  ]);
  // ctvs-gascity is for no client: `ctvs init gascity` writes it into a city, `ctvs skills install` does not.
  assert.deepEqual(BUNDLED_SKILLS.map((s) => s.clients), [["claude", "codex"], [], ["claude"], ["claude"]]);
});

test("every bundled SKILL.md starts with front matter naming its directory and a description", () => {
  for (const skill of BUNDLED_SKILLS) {
    const front = /^---\nname: (.+)\ndescription: (.+)\n(?:[a-z-]+: .+\n)*---\n/.exec(skill.files["SKILL.md"]);
    assert.ok(front, `${skill.name}/SKILL.md has no front matter`);
    assert.equal(front[1], skill.name);
    assert.ok(front[2].length > 40);
  }
});

test("the query skill teaches the datasets, the formats and JSON_VALUE; the ignore skills name their endpoint", () => {
  const query = BUNDLED_SKILLS[0].files["SKILL.md"];
  for (const word of ["logs", "traces", "metrics", "proxy_messages", "ctvs query sql", "JSON_VALUE(", "--since"]) {
    assert.ok(query.includes(word), word);
  }
  for (const format of ["table", "json", "jsonl", "markdown", "csv"]) {
    assert.ok(query.includes(`- \`--format ${format}\``), format);
  }
  assert.match(BUNDLED_SKILLS[0].files["agents/openai.yaml"], /allow_implicit_invocation: true/);
  const skill = (name: string) => BUNDLED_SKILLS.find((s) => s.name === name)!.files["SKILL.md"];
  assert.match(skill("ctvs-ignore"), /-X POST .*\/_collectivus\/ignore\/session/);
  assert.match(skill("ctvs-ignore"), /ctvs ignore add "\$PWD"/);
  assert.match(skill("ctvs-unignore"), /-X DELETE .*\/_collectivus\/ignore\/session/);
  assert.match(skill("ctvs-unignore"), /ctvs ignore remove "\$PWD"/);
  for (const word of ["gascity_messages", "gascity_events", "sum(cost_usd)", "ctvs gascity backfill"]) {
    assert.ok(skill("ctvs-gascity").includes(word), word);
  }
});

test("renderBundled() refuses a skill directory it does not know the clients of", async () => {
  const dir = await tempDir();
  try {
    await fs.mkdir(path.join(dir.dir, "mystery"));
    await fs.writeFile(path.join(dir.dir, "mystery", "SKILL.md"), "x");
    assert.throws(() => renderBundled(dir.dir), /Cannot bundle skills\/mystery: add it to SKILL_CLIENTS/);
    assert.ok(renderBundled(SKILLS_DIR).includes('"name": "ctvs-unignore"'));
  } finally {
    await dir.remove();
  }
});
