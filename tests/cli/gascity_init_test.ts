/**
 * `ctvs init gascity` in a Gas City workspace: the city attached, its own logs registered as collections and
 * queryable, the skill written; a second run changes nothing; a skill the user edited is kept.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { BUNDLED_SKILLS } from "../../platform/skills/bundled.ts";
import { ctvs, tempDir } from "../helpers/child.ts";

const SKILL = BUNDLED_SKILLS.find((s) => s.name === "ctvs-gascity")!.files["SKILL.md"];

/** A city workspace as `gc init` lays it out, with a few events in its log (the `gc events` line shape). */
async function cityDir(dir: string, name: string): Promise<void> {
  await fs.mkdir(path.join(dir, ".gc", "runtime", "session-reconciler-trace", "segments", "2026-12-06"), {
    recursive: true,
  });
  await fs.writeFile(path.join(dir, "city.toml"), `[workspace]\nname = "${name}"\n\n[[agent]]\nname = "mayor"\n`);
  const events = [
    { seq: 20, type: "session.woke", ts: "2026-12-06T10:00:00Z", actor: "gc", subject: "mayor" },
    { seq: 21, type: "mail.sent", ts: "2026-12-06T10:00:01Z", actor: "human", subject: "mayor", message: "hello" },
  ];
  await fs.writeFile(path.join(dir, ".gc", "events.jsonl"), events.map((e) => JSON.stringify(e)).join("\n") + "\n");
  await fs.writeFile(
    path.join(dir, ".gc", "runtime", "session-reconciler-trace", "segments", "2026-12-06", "seg-1.jsonl"),
    JSON.stringify({ ts: "2026-12-06T10:00:00Z", session: "s-1", decision: "wake" }) + "\n",
  );
}

test("ctvs init gascity attaches the city, registers its logs, writes the skill; it is idempotent", async () => {
  const tmp = await tempDir("ctvs-init-gascity-");
  try {
    const config = path.join(tmp.dir, "collectivus.json");
    await fs.writeFile(
      config,
      JSON.stringify({ version: 1, gateway_id: "gw", sink: { type: "file", dir: path.join(tmp.dir, "rec") } }),
    );
    const city = path.join(tmp.dir, "bright");
    await cityDir(city, "bright-lights");
    const flags = ["--config", config, "--pid-file", path.join(tmp.dir, "none.pid"), "--api-url", "http://127.0.0.1:9"];

    const first = await ctvs(["init", "gascity", ...flags], { cwd: city });
    assert.equal(first.code, 0, first.stderr);
    const lines = first.stdout.split("\n");
    assert.equal(lines[0], `✓ Attached city bright-lights (http://127.0.0.1:9) in ${config}`);
    assert.ok(lines.includes("Registered events as table events"), first.stdout);
    assert.ok(lines.includes("Registered session_segments as table session_segments"), first.stdout);
    const skillFile = path.join(city, ".claude", "skills", "ctvs-gascity", "SKILL.md");
    assert.ok(lines.includes(`✓ Wrote the ctvs-gascity skill to ${skillFile}`), first.stdout);
    assert.match(first.stderr, /^warning: Cannot list the cities: http:\/\/127\.0\.0\.1:9 is unreachable/);
    assert.equal(await fs.readFile(skillFile, "utf8"), SKILL);
    assert.deepEqual(JSON.parse(await fs.readFile(config, "utf8")).gascity, [
      { name: "bright-lights", api_url: "http://127.0.0.1:9" },
    ]);
    const events = await ctvs([
      "query",
      "sql",
      "select seq, type, subject from events order by seq",
      "--config",
      config,
      "--format",
      "csv",
    ]);
    assert.equal(events.stdout, "seq,type,subject\n20,session.woke,mayor\n21,mail.sent,mayor");
    const segments = await ctvs([
      "query",
      "sql",
      "select session, decision from session_segments",
      "--config",
      config,
      "--format",
      "csv",
    ]);
    assert.equal(segments.stdout, "session,decision\ns-1,wake");

    // Again, without --api-url: nothing changes.
    const again = await ctvs(["init", "gascity", city, "--config", config, "--pid-file", path.join(tmp.dir, "x.pid")]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(again.stdout.split("\n").slice(0, 4), [
      `(city bright-lights is already attached in ${config}, to http://127.0.0.1:9)`,
      `(collection events already reads ${path.join(city, ".gc", "events.jsonl")})`,
      `(collection session_segments already reads ${
        path.join(city, ".gc", "runtime", "session-reconciler-trace", "segments", "**", "*.jsonl")
      })`,
      `(skill ${skillFile} is up to date)`,
    ]);

    // An edited skill is kept; the new version goes beside it.
    await fs.writeFile(skillFile, SKILL + "\nMy own notes.\n");
    const edited = await ctvs(["init", "gascity", city, "--config", config]);
    assert.ok(
      edited.stdout.includes(`! ${skillFile} differs from this version: wrote ${skillFile}.new beside it`),
      edited.stdout,
    );
    assert.match(await fs.readFile(skillFile, "utf8"), /My own notes/);
    assert.equal(await fs.readFile(`${skillFile}.new`, "utf8"), SKILL);

    // A second city: its logs get tables of their own.
    const other = path.join(tmp.dir, "dim");
    await cityDir(other, "dim");
    const second = await ctvs(["init", "gascity", other, ...flags]);
    assert.equal(second.code, 0, second.stderr);
    assert.ok(second.stdout.includes("Registered dim_events as table dim_events"), second.stdout);

    const nowhere = await ctvs(["init", "gascity", tmp.dir, "--config", config]);
    assert.equal(nowhere.code, 1);
    assert.equal(
      nowhere.stderr,
      `error: no city.toml in ${tmp.dir}; run \`ctvs init gascity\` in a Gas City directory, or pass its path`,
    );
  } finally {
    await tmp.remove();
  }
});
