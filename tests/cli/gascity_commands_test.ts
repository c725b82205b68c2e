/**
 * `ctvs gascity attach|detach|list|status` against a config file and a running `ctvs` (reloaded by SIGHUP through
 * its PID file), and the errors a user meets.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { SupervisorDouble } from "../fixtures/gascity_supervisor.ts";
import { ctvs, startCtvs, tempDir } from "../helpers/child.ts";
import { gascityHome } from "./_gascity.ts";
import { until } from "../helpers/until.ts";

/** Child processes and the supervisor double take their time on a loaded machine. */
const SLOW = { timeoutMs: 20_000, intervalMs: 150 };

const SESSION = { id: "s-1", template: "mayor", rig: "r", alias: "m", state: "active", provider: "claude" };
const line = (uuid: string) => ({
  type: "user",
  uuid,
  sessionId: "c-1",
  timestamp: "2026-01-01T00:00:00Z",
  message: { role: "user", content: `hello ${uuid}` },
});

test("ctvs gascity attach and detach edit the config and reload a running ctvs in place", async () => {
  const alpha = await SupervisorDouble.start({ cities: ["alpha"] });
  const beta = await SupervisorDouble.start({ cities: ["beta"] });
  const tmp = await gascityHome(
    [],
    (root) =>
      `{\n  // kept across edits\n  "version": 1,\n  "gateway_id": "gw",\n  "sink": { "type": "file", "dir": ${
        JSON.stringify(root)
      } },\n  "gascity": [{ "name": "alpha", "api_url": "${alpha.url}" }]\n}\n`,
  );
  try {
    const { config, pidFile } = tmp;
    alpha.addSession("alpha", SESSION, [line("a1")]);
    beta.addSession("beta", { ...SESSION, id: "s-9", template: "deacon" }, [line("b1")]);
    await fs.mkdir(path.join(tmp.dir, "beta-city"));
    await fs.writeFile(path.join(tmp.dir, "beta-city", "city.toml"), '[workspace]\nname = "beta"\n');

    const notRunning = await ctvs(["gascity", "list", "--config", config, "--format", "csv"]);
    assert.equal(notRunning.code, 0, notRunning.stderr);
    assert.equal(
      notRunning.stdout,
      `city,api_url,templates,state,live_sessions,sessions_recorded,last_seq\nalpha,${alpha.url},all,not running,,0,`,
    );

    const daemon = startCtvs(["--config", config, "--pid-file", pidFile]);
    try {
      await daemon.waitFor(/^Gas City capture of alpha/);
      await until("alpha's sessions are streamed", () => alpha.openStreams.sessions === 1, SLOW);

      const betaFlags = [
        "--api-url",
        beta.url,
        "--exclude-template",
        "polecat-*",
        "--config",
        config,
        "--pid-file",
        pidFile,
      ];
      const attached = await ctvs(["gascity", "attach", path.join(tmp.dir, "beta-city"), ...betaFlags]);
      assert.equal(attached.code, 0, attached.stderr);
      assert.deepEqual(attached.stdout.split("\n"), [
        `✓ Attached city beta (${beta.url}) in ${config}`,
        `  from ${path.join(tmp.dir, "beta-city")}`,
        `  the supervisor at ${beta.url} serves beta`,
        `  Told the running collector (pid ${daemon.process.pid}) to reload its config.`,
      ]);
      await daemon.waitFor(/^local reload: gascity diff applied \(2 cities: 1 started, 0 stopped\)$/);
      await until("beta's sessions are streamed", () => beta.openStreams.sessions === 1, SLOW);
      // alpha kept its streams: no reconnect.
      assert.equal(alpha.requests.filter((r) => r.includes("/events/stream")).length, 1);
      const text = await fs.readFile(config, "utf8");
      assert.match(text, /\/\/ kept across edits/);
      assert.deepEqual(JSON.parse(text.replace(/^\s*\/\/.*$/m, "")).gascity[1], {
        name: "beta",
        api_url: beta.url,
        exclude_templates: ["polecat-*"],
      });

      const again = await ctvs(["gascity", "attach", "beta", ...betaFlags]);
      assert.equal(again.stdout.split("\n")[0], `(city beta is already attached in ${config})`);

      const listed = await ctvs(["gascity", "list", "--config", config, "--format", "jsonl"]);
      await until("both cities are connected with a live session", async () => {
        const rows = (await ctvs(["gascity", "list", "--config", config, "--format", "jsonl"])).stdout.split("\n")
          .map((l) => JSON.parse(l));
        return rows.length === 2 && rows.every((r) => r.state === "connected" && r.live_sessions === 1);
      }, SLOW);
      assert.equal(listed.code, 0, listed.stderr);

      const status = await ctvs(["gascity", "status", "beta", "--config", config]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, new RegExp(`^Collector running \\(pid ${daemon.process.pid}\\), status as of `));
      assert.match(status.stdout, /\nbeta +connected /);
      assert.match(status.stdout, /\nbeta +s-9 +deacon +r +m +streaming /);

      const detached = await ctvs(["gascity", "detach", "alpha", "--config", config, "--pid-file", pidFile]);
      assert.equal(detached.code, 0, detached.stderr);
      assert.equal(
        detached.stdout.split("\n")[0],
        `✓ Detached city alpha from ${config}; what was recorded stays queryable`,
      );
      await daemon.waitFor(/^local reload: gascity diff applied \(1 cities: 0 started, 1 stopped\)$/);
      await until(
        "alpha's streams are closed",
        () => alpha.openStreams.events === 0 && alpha.openStreams.sessions === 0,
        SLOW,
      );

      const missing = await ctvs(["gascity", "detach", "alpha", "--config", config, "--pid-file", pidFile]);
      assert.equal(missing.code, 1);
      assert.equal(
        missing.stderr,
        `error: ${config} has no city named alpha; \`ctvs gascity list\` shows the attached ones`,
      );
    } finally {
      daemon.kill("SIGTERM");
      await daemon.exited;
    }
    const rows = (await ctvs([
      "query",
      "sql",
      "select city, gascity_template, content_text from gascity_messages order by city",
      "--config",
      config,
      "--format",
      "csv",
      "--refresh",
      "always",
    ])).stdout;
    assert.equal(rows, "city,gascity_template,content_text\nalpha,mayor,hello a1\nbeta,deacon,hello b1");
  } finally {
    await alpha.close();
    await beta.close();
    await tmp.remove();
  }
});

test("ctvs gascity: usage errors exit 2, a missing config or city exits 1 with what to do", async () => {
  const tmp = await tempDir("ctvs-gascity-err-");
  try {
    const config = path.join(tmp.dir, "c.json");
    const none = await ctvs(["gascity"]);
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /^error: missing subcommand: attach, detach, list, status or backfill\n\nUsage: ctvs gascity/,
    );
    const bad = await ctvs(["gascity", "frobnicate"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error: unknown subcommand: frobnicate\n/);
    const help = await ctvs(["gascity", "backfill", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: ctvs gascity attach /);
    const noName = await ctvs(["gascity", "attach", "--config", config]);
    assert.equal(noName.code, 2);
    assert.match(noName.stderr, /^error: ctvs gascity attach requires a city name or path\n/);
    const badUrl = await ctvs(["gascity", "attach", "x", "--api-url", "ftp://h", "--config", config]);
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /^error: --api-url must be an http\(s\) URL \(got "ftp:\/\/h"\)\n/);
    const noFile = await ctvs(["gascity", "attach", "x", "--config", config]);
    assert.equal(noFile.code, 1);
    assert.equal(
      noFile.stderr,
      `config error: config file not found: ${config}; run \`ctvs init\` to write one (or pass --config <path>)`,
    );
    const noToml = await ctvs(["gascity", "attach", "./no/such/dir", "--config", config]);
    assert.equal(noToml.code, 1);
    assert.equal(
      noToml.stderr,
      "error: no city.toml at ./no/such/dir; give the path of a Gas City directory, or the city's name",
    );
    await fs.writeFile(config, JSON.stringify({ version: 1, sink: { type: "file", dir: tmp.dir } }));
    const status = await ctvs(["gascity", "status", "--config", config]);
    assert.equal(status.code, 1);
    assert.equal(status.stderr, "error: no city attached; attach one with `ctvs gascity attach <city-name-or-path>`");
    const backfill = await ctvs(["gascity", "backfill", "nope", "--config", config]);
    assert.equal(backfill.code, 1);
    assert.equal(
      backfill.stderr,
      "error: no city named nope in the config; `ctvs gascity list` shows the attached ones",
    );
    const timeout = await ctvs(["gascity", "backfill", "--timeout", "soon", "--config", config]);
    assert.equal(timeout.code, 2);
    assert.match(timeout.stderr, /^error: --timeout requires a duration like 30s, 2m or 10m\n/);
    // Attaching to an unreachable supervisor still attaches (the collector retries), with a warning.
    const down = await ctvs([
      "gascity",
      "attach",
      "gamma",
      "--api-url",
      "http://127.0.0.1:9",
      "--config",
      config,
      "--pid-file",
      path.join(tmp.dir, "none.pid"),
    ]);
    assert.equal(down.code, 0, down.stderr);
    assert.match(
      down.stderr,
      /^warning: Cannot list the cities: http:\/\/127\.0\.0\.1:9 is unreachable \(.+\); the collector retries until the supervisor answers$/,
    );
    assert.match(down.stdout, /The collector is not running: it records the city from its next start/);
    const gone = await ctvs([
      "gascity",
      "detach",
      "gamma",
      "--config",
      config,
      "--pid-file",
      path.join(tmp.dir, "none.pid"),
    ]);
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal(
      gone.stdout.split("\n")[1],
      "  The collector is not running: it leaves the city out from its next start (`ctvs`, or `ctvs install`).",
    );
  } finally {
    await tmp.remove();
  }
});
