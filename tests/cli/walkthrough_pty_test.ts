/**
 * Bare `ctvs` through a real pseudo-terminal (python3's pty module, tests/cli/walkthrough_pty.py): keys are typed
 * when a prompt appears, the screen is read back. HOME is a temporary directory; `systemctl` is a stub script first
 * on PATH that logs its arguments, so the daemon install runs for real without touching the machine's systemd.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { Child, ROOT, tempDir } from "../helpers/child.ts";
import { exposedEntries } from "../helpers/modes.ts";
import { SupervisorDouble } from "../fixtures/gascity_supervisor.ts";
import { FIXTURES } from "../e2e/transcripts_record.ts";

const UNIT = "com.hyparam.collectivus.service";
/** A terminal control sequence (ESC [ ... letter), as readline writes to move the cursor. */
const CSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, "g");
const HEADER = [
  "Welcome to collectivus.",
  "",
  "It records what your AI agents send and receive, and OpenTelemetry data, into local JSONL files.",
  "",
  "What should collectivus record?",
  "  1) Proxy: Claude Code, Codex and SDK calls to LLM APIs",
  "  2) OTLP receiver: traces, metrics and logs from OpenTelemetry SDKs",
  "  3) Both",
];

const SKILLS = ["collectivus-query", "ctvs-ignore", "ctvs-unignore"];
/** What the Claude Code attach prints, its skills included. */
const ATTACHED = [
  "✓ Claude Code attached (<HOME>/.claude/settings.json)",
  "  ANTHROPIC_BASE_URL = http://127.0.0.1:8787",
  ...SKILLS.map((s) => `  Installed Claude skill ${s} (<HOME>/.claude/skills/${s})`),
];
/** The end of a walkthrough that wrote the default proxy config. */
const PROXY_NEXT_STEPS = [
  "",
  "Check that it works:",
  "  ctvs status",
  "  curl http://127.0.0.1:8787/     # the proxy answers with its banner",
  "  claude                          # then ask it anything",
  "  ls ~/.hyp/collectivus/*/proxy/  # one JSONL file per day",
  "  ctvs query proxy --since 1d --config <HOME>/.hyp/collectivus.json",
  "Without the daemon, run the collector in a terminal: ctvs --config <HOME>/.hyp/collectivus.json",
  "",
];

/** The prompts up to the config written, each answered with Enter: the default proxy config. */
const DEFAULT_PROXY_CONFIG: [string, string][] = [
  ["Choose \\[1\\]: ", "\r"],
  ["Sink directory .*: ", "\r"],
  ["Upstreams to record .*: ", "\r"],
  ["Proxy listen .*: ", "\r"],
  ["Save config to .*: ", "\r"],
  ["Write this config to .*\\? \\[Y/n\\]: ", "\r"],
];

/** A temporary home with a stub systemctl and a deno outside any npx cache (install refuses those). */
async function sandbox() {
  const home = await tempDir("ctvs-walk-");
  const bin = path.join(home.dir, "bin");
  await fs.mkdir(bin);
  await fs.writeFile(path.join(bin, "systemctl"), '#!/bin/sh\necho "systemctl $*" >> "$HOME/systemctl.log"\n', {
    mode: 0o755,
  });
  const deno = path.join(bin, "deno");
  await fs.link(process.execPath, deno).catch(() => fs.copyFile(process.execPath, deno));
  const env = {
    HOME: home.dir,
    PATH: `${bin}:${process.env.PATH}`,
    NO_COLOR: "1",
    TERM: "xterm",
    // A terminal would ask the real npm registry for a newer version (tests/cli/update_notice_test.ts covers that).
    COLLECTIVUS_DISABLE_UPDATE_CHECK: "1",
    // Keep Deno's module cache where it is, or every run downloads the npm packages again.
    DENO_DIR: process.env.DENO_DIR ??
      path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "deno"),
  };
  return { home: home.dir, deno, env, remove: home.remove };
}

/** Runs bare `ctvs` on a pty, typing `steps` ([prompt regex, keys]); resolves with the cleaned screen and code. */
function walk(box: Awaited<ReturnType<typeof sandbox>>, steps: [string, string][], cwd = box.home) {
  const command = [box.deno, "run", "--allow-all", "--quiet", path.join(ROOT, "main.ts")];
  return new Promise<{ screen: string; code: number | null }>((resolve, reject) => {
    execFile(
      "python3",
      [path.join(ROOT, "tests/cli/walkthrough_pty.py"), JSON.stringify(command), JSON.stringify(steps)],
      { env: { ...process.env, ...box.env }, cwd, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${error.message}\n${stderr}`));
        const result = JSON.parse(stdout);
        // Drop readline's cursor movements and the terminal's carriage returns, and name the temporary home.
        const screen = (result.screen as string).replace(CSI, "").replace(/\r/g, "")
          .replaceAll(box.home, "<HOME>");
        if (result.stuck_at) return reject(new Error(`no prompt /${result.stuck_at}/ on:\n${screen}`));
        resolve({ screen, code: result.code });
      },
    );
  });
}

test("bare ctvs on a terminal, Enter everywhere: proxy config written, daemon installed, Claude attached", async () => {
  const box = await sandbox();
  try {
    const enter: [string, string][] = [
      ["Choose \\[1\\]: ", "\r"],
      ["Sink directory \\[~/.hyp/collectivus\\]: ", "\r"],
      ["Upstreams to record \\(anthropic, openai\\) \\[anthropic\\]: ", "\r"],
      ["Proxy listen \\[127.0.0.1:8787\\]: ", "\r"],
      ["Save config to \\[~/.hyp/collectivus.json\\]: ", "\r"],
      ["Write this config to .*\\? \\[Y/n\\]: ", "\r"],
      ["Install as background daemon\\? \\[Y/n\\]: ", "\r"],
      ["Configure Claude Code to use the proxy\\? \\[Y/n\\]: ", "\r"],
    ];
    const { screen, code } = await walk(box, enter);
    const expected = {
      version: 1,
      sink: { type: "file", dir: "~/.hyp/collectivus" },
      query: { cache: { enabled: true } },
      proxy: {
        listen: "127.0.0.1:8787",
        upstreams: [{
          name: "anthropic",
          base_url: "https://api.anthropic.com",
          match: { path_prefix: "/v1/messages" },
        }],
      },
    };
    const configText = `${JSON.stringify(expected, null, 2)}\n`;
    assert.equal(code, 0, screen);
    assert.equal(await fs.readFile(path.join(box.home, ".hyp", "collectivus.json"), "utf8"), configText);
    assert.equal(
      screen,
      [
        ...HEADER,
        "Choose [1]: ",
        "Sink directory [~/.hyp/collectivus]: ",
        "Upstreams to record (anthropic, openai) [anthropic]: ",
        "Proxy listen [127.0.0.1:8787]: ",
        "Save config to [~/.hyp/collectivus.json]: ",
        "",
        configText,
        "Write this config to <HOME>/.hyp/collectivus.json? [Y/n]: ",
        "✓ Wrote <HOME>/.hyp/collectivus.json",
        "",
        "Install as background daemon? [Y/n]: ",
        "Configure Claude Code to use the proxy? [Y/n]: ",
        `✓ Daemon installed (systemd unit: ${UNIT})`,
        "  (run `loginctl enable-linger` to keep it running after you log out)",
        "Logs: <HOME>/.hyp/collectivus/collectivus.log",
        ...ATTACHED,
        ...PROXY_NEXT_STEPS,
      ].join("\n"),
    );
    assert.equal(
      await fs.readFile(path.join(box.home, "systemctl.log"), "utf8"),
      `systemctl --user daemon-reload\nsystemctl --user enable ${UNIT}\nsystemctl --user restart ${UNIT}\n`,
    );
    const unit = await fs.readFile(path.join(box.home, ".config/systemd/user", UNIT), "utf8");
    assert.match(
      unit,
      new RegExp(
        `^ExecStart=${box.deno} run --allow-all .*main\\.ts --config ${box.home}/\\.hyp/collectivus\\.json$`,
        "m",
      ),
    );
    const settings = JSON.parse(await fs.readFile(path.join(box.home, ".claude", "settings.json"), "utf8"));
    assert.equal(settings.env.ANTHROPIC_BASE_URL, "http://127.0.0.1:8787");
    for (const s of SKILLS) await fs.stat(path.join(box.home, ".claude", "skills", s, ".collectivus-skill.json"));
  } finally {
    await box.remove();
  }
});

test("bare ctvs where systemd has no user session: the install fails saying why, the attach and the rest go on", async () => {
  const box = await sandbox();
  try {
    // What systemctl --user says in a container or an SSH login without a user session.
    await fs.writeFile(
      path.join(box.home, "bin", "systemctl"),
      '#!/bin/sh\necho "systemctl $*" >> "$HOME/systemctl.log"\necho "Failed to connect to bus: No medium found" >&2\nexit 1\n',
    );
    const { screen, code } = await walk(box, [
      ...DEFAULT_PROXY_CONFIG,
      ["Install as background daemon\\? \\[Y/n\\]: ", "\r"],
      ["Configure Claude Code to use the proxy\\? \\[Y/n\\]: ", "\r"],
    ]);
    assert.equal(code, 1, screen);
    assert.equal(
      screen.slice(screen.indexOf("Install as background daemon")),
      [
        "Install as background daemon? [Y/n]: ",
        "Configure Claude Code to use the proxy? [Y/n]: ",
        `error: the daemon was not installed: failed to reload systemd user units for ${UNIT}: ` +
        "Failed to connect to bus: No medium found",
        "hint: `systemctl --user status` must work here; a container, WSL without systemd, or an SSH login without " +
        "`loginctl enable-linger` has no systemd user session. Without the daemon, run the collector in a terminal: " +
        "ctvs --config <HOME>/.hyp/collectivus.json; `ctvs attach` points Claude Code at it",
        "The daemon was not installed: going on without it.",
        ...ATTACHED,
        ...PROXY_NEXT_STEPS,
      ].join("\n"),
    );
    const settings = JSON.parse(await fs.readFile(path.join(box.home, ".claude", "settings.json"), "utf8"));
    assert.equal(settings.env.ANTHROPIC_BASE_URL, "http://127.0.0.1:8787");
  } finally {
    await box.remove();
  }
});

test("bare ctvs on a terminal, custom answers: OTLP only, own sink and path, a bad listen re-asked, no daemon", async () => {
  const box = await sandbox();
  try {
    const { screen, code } = await walk(box, [
      ["Choose \\[1\\]: ", "otel\r"],
      ["Sink directory .*: ", "/srv/rec\r"],
      ["OTLP listen \\[127.0.0.1:4318\\]: ", "localhost\r"],
      ["OTLP listen \\[127.0.0.1:4318\\]: ", "0.0.0.0:14318\r"],
      ["Save config to .*: ", "~/cfg/otlp.json\r"],
      ["Write this config to .*\\? \\[Y/n\\]: ", "y\r"],
      ["Install as background daemon\\? \\[Y/n\\]: ", "n\r"],
    ]);
    const configText = `${
      JSON.stringify(
        {
          version: 1,
          sink: { type: "file", dir: "/srv/rec" },
          query: { cache: { enabled: true } },
          otel: { listen: "0.0.0.0:14318" },
        },
        null,
        2,
      )
    }\n`;
    assert.equal(code, 0, screen);
    assert.equal(await fs.readFile(path.join(box.home, "cfg", "otlp.json"), "utf8"), configText);
    assert.equal(
      screen,
      [
        ...HEADER,
        "Choose [1]: otel",
        "Sink directory [~/.hyp/collectivus]: /srv/rec",
        "OTLP listen [127.0.0.1:4318]: localhost",
        "  localhost: must be host:port",
        "OTLP listen [127.0.0.1:4318]: 0.0.0.0:14318",
        "Save config to [~/.hyp/collectivus.json]: ~/cfg/otlp.json",
        "",
        configText,
        "Write this config to <HOME>/cfg/otlp.json? [Y/n]: y",
        "✓ Wrote <HOME>/cfg/otlp.json",
        "",
        "Install as background daemon? [Y/n]: n",
        "",
        "Check that it works:",
        "  ctvs status",
        "  curl http://0.0.0.0:14318/  # the OTLP receiver's banner",
        `  ctvs query sql "SELECT count(*) AS n FROM logs" --config <HOME>/cfg/otlp.json`,
        "Without the daemon, run the collector in a terminal: ctvs --config <HOME>/cfg/otlp.json",
        "",
      ].join("\n"),
    );
    assert.deepEqual((await fs.readdir(box.home)).sort(), ["bin", "cfg"]);
    // A config may name buckets and upstreams, and later hold tokens: the file is 0600 in a new directory 0700.
    assert.deepEqual(await exposedEntries(path.join(box.home, "cfg")), []);
  } finally {
    await box.remove();
  }
});

test("bare ctvs without a terminal keeps the usage error (exit 2) and does not wait for input", async () => {
  const box = await sandbox();
  try {
    const child = new Child(box.deno, ["run", "--allow-all", "--quiet", path.join(ROOT, "main.ts")], {
      env: box.env,
      cwd: box.home,
    });
    const { code } = await child.exited;
    assert.equal(code, 2);
    assert.equal(
      child.stderr[0],
      "error: --config <path|url>, --config-env <env-var>, or --config-endpoint <url> is required",
    );
    assert.deepEqual(child.stdout, []);
  } finally {
    await box.remove();
  }
});

test("bare ctvs on a terminal with Claude Code and Codex history on disk offers its import, and imports it", async () => {
  const box = await sandbox();
  try {
    // The transcripts the real CLIs wrote, where they keep them.
    await fs.cp(path.join(FIXTURES, "claude", "projects"), path.join(box.home, ".claude", "projects"), {
      recursive: true,
    });
    await fs.cp(path.join(FIXTURES, "codex", "sessions"), path.join(box.home, ".codex", "sessions"), {
      recursive: true,
    });
    const { screen, code } = await walk(box, [
      ...DEFAULT_PROXY_CONFIG,
      ["Install as background daemon\\? \\[Y/n\\]: ", "n\r"],
      ["Configure Claude Code to use the proxy\\? \\[Y/n\\]: ", "n\r"],
      ["Import their usage, cost and conversations now\\? \\[Y/n\\]: ", "\r"],
    ]);
    assert.equal(code, 0, screen);
    // On a terminal the import shows its progress (redrawn in place, then erased).
    assert.match(screen, /importing all 100%: 39 rows, 0\.1 MB \([\d.]+ MB\/s\)/);
    const cleared = screen.replace(/importing all \d+%: \d+ rows, [\d.]+ MB \([\d.]+ MB\/s\)/g, "");
    const offer = cleared.slice(cleared.indexOf("Configure Claude Code"), cleared.indexOf("\nCheck that it works:"));
    assert.equal(
      offer,
      [
        "Configure Claude Code to use the proxy? [Y/n]: n",
        "",
        "Found 1 Claude Code transcript and 1 Codex session (0.1 MB): what your agents did before the proxy.",
        "Import their usage, cost and conversations now? [Y/n]: ",
        "  Claude Code: 1 transcript, 1 with new lines: 24 lines (0.0 MB) → 15 message parts, 4 usage records",
        "  Codex: 1 transcript, 1 with new lines: 43 lines (0.1 MB) → 16 message parts, 4 usage records",
        "  Query it: ctvs query usage --source all, or ctvs query sql over transcript_messages and transcript_requests",
        "",
      ].join("\n"),
    );
    const root = path.join(box.home, ".hyp", "collectivus");
    const [gateway] = await fs.readdir(root);
    const files = await fs.readdir(path.join(root, gateway, "transcripts"));
    assert.deepEqual(files.filter((f) => !f.startsWith(".")).sort(), [
      "2026-12-06.jsonl",
      "import-state.json",
    ]);
  } finally {
    await box.remove();
  }
});

test("bare ctvs in a Gas City with its supervisor running offers it, and sets it up as ctvs init gascity does", async () => {
  const box = await sandbox();
  const cities = path.join(box.home, "cities");
  const dirs = { "bright-lights": path.join(cities, "bright-lights"), harbor: path.join(cities, "harbor") };
  for (const [name, dir] of Object.entries(dirs)) {
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, "city.toml"), `[workspace]\nname = "${name}"\n`);
  }
  // The supervisor runs where its own config says (gc reads ~/.gc/supervisor.toml; so does ctvs).
  const supervisor = await SupervisorDouble.start({ cities: Object.keys(dirs), cityPaths: dirs });
  try {
    await fs.mkdir(path.join(box.home, ".gc"));
    await fs.writeFile(path.join(box.home, ".gc", "supervisor.toml"), `[supervisor]\nport = ${supervisor.port}\n`);
    const api = supervisor.url;
    const config = path.join(box.home, ".hyp", "collectivus.json");
    const skill = (dir: string) => path.join(dir, ".claude", "skills", "ctvs-gascity", "SKILL.md");
    const named = (screen: string) => screen.replaceAll(api, "<API>");

    // In the city's directory (city.toml here): Gas City is the fourth source; a wrong answer is asked again.
    const first = await walk(box, [
      ["Choose \\[1\\]: ", "6\r"],
      ["Please answer 1 to 5, or a list such as 1,4 \\[1\\]: ", "4\r"],
      ["Sink directory .*: ", "\r"],
      ["Save config to .*: ", "\r"],
      ["Write this config to .*\\? \\[Y/n\\]: ", "\r"],
      ["Install as background daemon\\? \\[Y/n\\]: ", "n\r"],
    ], dirs["bright-lights"]);
    assert.equal(first.code, 0, first.screen);
    const written = {
      version: 1,
      sink: { type: "file", dir: "~/.hyp/collectivus" },
      query: { cache: { enabled: true } },
      gascity: [{ name: "bright-lights", api_url: api }],
    };
    const configText = `${JSON.stringify(written, null, 2)}\n`;
    assert.equal(await fs.readFile(config, "utf8"), configText);
    const registered = (table: string, glob: string) => [
      `Registered ${table} as table ${table}`,
      `note: no file matches ${glob} yet; files that match later are read by every query`,
      "Done. 0 file(s) written, 0 fresh, 0 row(s).",
      `Query with: ctvs query sql "select * from ${table}"`,
    ];
    const city = "<HOME>/cities/bright-lights";
    assert.equal(
      named(first.screen),
      [
        ...HEADER,
        "  4) Gas City: the agents' transcripts and the city events of bright-lights (city.toml here; supervisor <API>)",
        "  5) All of these (or a list, such as 1,4)",
        "Choose [1]: 6",
        "Please answer 1 to 5, or a list such as 1,4 [1]: 4",
        "Sink directory [~/.hyp/collectivus]: ",
        "Save config to [~/.hyp/collectivus.json]: ",
        "",
        named(configText),
        "Write this config to <HOME>/.hyp/collectivus.json? [Y/n]: ",
        "✓ Wrote <HOME>/.hyp/collectivus.json",
        // The steps of `ctvs init gascity`: the city is in the config already, then its logs and the agents' skill.
        "(city bright-lights is already attached in <HOME>/.hyp/collectivus.json, to <API>)",
        ...registered("events", `${city}/.gc/events.jsonl`),
        ...registered("session_segments", `${city}/.gc/runtime/session-reconciler-trace/segments/**/*.jsonl`),
        `✓ Wrote the ctvs-gascity skill to ${city}/.claude/skills/ctvs-gascity/SKILL.md`,
        "",
        "Install as background daemon? [Y/n]: n",
        "",
        "Check that it works:",
        "  ctvs status",
        "  ctvs gascity status --config <HOME>/.hyp/collectivus.json          # is it recording the city?",
        "  ctvs gascity backfill --all --config <HOME>/.hyp/collectivus.json  # the sessions that ran before now",
        '  ctvs query sql "SELECT gascity_template, sum(cost_usd) AS usd FROM gascity_messages GROUP BY 1" ' +
        "--config <HOME>/.hyp/collectivus.json",
        "Without the daemon, run the collector in a terminal: ctvs --config <HOME>/.hyp/collectivus.json",
        "",
      ].join("\n"),
    );
    assert.match(await fs.readFile(skill(dirs["bright-lights"]), "utf8"), /^---\nname: ctvs-gascity\n/);

    // Elsewhere, with that config: the supervisor's other city is offered, and set up the same way.
    const second = await walk(box, [
      ["Choose \\[1\\]: ", "\r"],
      ["Record .*\\? \\[Y/n\\]: ", "\r"],
      ["Install as background daemon\\? \\[Y/n\\]: ", "n\r"],
    ]);
    assert.equal(second.code, 0, second.screen);
    const screen = named(second.screen);
    const harbor = "<HOME>/cities/harbor";
    assert.equal(
      screen.slice(screen.indexOf("Found <HOME>"), screen.indexOf("\nInstall as background daemon")),
      [
        "Found <HOME>/.hyp/collectivus.json: Gas City bright-lights; recordings in ~/.hyp/collectivus",
        "  1) Use existing config",
        "  2) Create a new one",
        "Choose [1]: ",
        "",
        "Found a Gas City: harbor (served by the supervisor; supervisor <API>)",
        "Record its agents' transcripts and events too (as `ctvs init gascity`)? [Y/n]: ",
        "✓ Attached city harbor (<API>) in <HOME>/.hyp/collectivus.json",
        `  from ${harbor}`,
        "  the supervisor at <API> serves harbor",
        "  The collector is not running: it records the city from its next start (`ctvs`, or `ctvs install`).",
        ...registered("harbor_events", `${harbor}/.gc/events.jsonl`),
        ...registered("harbor_session_segments", `${harbor}/.gc/runtime/session-reconciler-trace/segments/**/*.jsonl`),
        `✓ Wrote the ctvs-gascity skill to ${harbor}/.claude/skills/ctvs-gascity/SKILL.md`,
        "",
      ].join("\n"),
    );
    assert.deepEqual(JSON.parse(await fs.readFile(config, "utf8")).gascity, [
      { name: "bright-lights", api_url: api },
      { name: "harbor", api_url: api },
    ]);
    assert.equal(
      await fs.readFile(skill(dirs.harbor), "utf8"),
      await fs.readFile(skill(dirs["bright-lights"]), "utf8"),
    );
  } finally {
    await supervisor.close();
    await box.remove();
  }
});
