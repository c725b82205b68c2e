/**
 * The update notice, end to end against a local fake npm registry (COLLECTIVUS_UPDATE_REGISTRY; the real one is never
 * asked): `ctvs` runs on a real pseudo-terminal (tests/cli/walkthrough_pty.py) with a temporary HOME, and the test
 * reads its screen, the cache file and what the registry was asked.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import {
  CHECK_INTERVAL_MS,
  checkIsDue,
  CI_VARIABLES,
  installKind,
  isNewerVersion,
  readUpdateCache,
  SUPERVISED_VARIABLES,
  updateCachePath,
  updateNoticeEnabled,
} from "../../platform/update_check.ts";
import { VERSION } from "../../platform/version.ts";
import { ctvs, denoRun, ROOT, tempDir } from "../helpers/child.ts";
import { until } from "../helpers/until.ts";

/** A fake registry answering `/collectivus/latest` with `version`, after `delayMs`; it counts what it was asked. */
async function fakeRegistry(version: string, delayMs = 0) {
  const asked: string[] = [];
  let answered = 0;
  const server = http.createServer((req, res) => {
    asked.push(req.url ?? "");
    setTimeout(() => {
      res.writeHead(req.url === "/collectivus/latest" ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify({ name: "collectivus", version }));
      answered++;
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked,
    answered: () => answered,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The environment of a ctvs child: this process's, without anything that turns the notice off. */
function noticeEnv(home: string, registry: string, extra: Record<string, string> = {}): Record<string, string> {
  const quiet = new Set([...CI_VARIABLES, ...SUPERVISED_VARIABLES, "COLLECTIVUS_DISABLE_UPDATE_CHECK", "NO_COLOR"]);
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !quiet.has(key)));
  return { ...env, HOME: home, COLLECTIVUS_UPDATE_REGISTRY: registry, TERM: "dumb", ...extra } as Record<
    string,
    string
  >;
}

/** Runs `ctvs <args>` on a pty; resolves with the screen (ANSI stripped) and exit code. */
function onPty(args: string[], env: Record<string, string>): Promise<{ screen: string; code: number | null }> {
  const [command, full] = denoRun("main.ts", args);
  return new Promise((resolve, reject) => {
    execFile(
      "python3",
      [path.join(ROOT, "tests/cli/walkthrough_pty.py"), JSON.stringify([command, ...full]), "[]"],
      { env, timeout: 90_000 },
      (error, stdout) => {
        if (error) return reject(error);
        const { screen, code } = JSON.parse(stdout);
        // deno-lint-ignore no-control-regex
        resolve({ screen: screen.replace(/\x1b\[[0-9;]*m/g, "").replaceAll("\r", ""), code });
      },
    );
  });
}

const NOTICE = `A newer version of collectivus is available: 99.0.0 (current: ${VERSION})\n` +
  "Run 'git pull' in your collectivus checkout to update";

async function writeCache(home: string, cache: object): Promise<void> {
  const file = updateCachePath(home);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify(cache));
}

test("updateNoticeEnabled() is off with the variable, in CI, supervised, for the hook and for piped output", () => {
  const tty = { command: undefined, stdoutIsTTY: true, stderrIsTTY: true, env: {} };
  assert.equal(updateNoticeEnabled(tty), true);
  for (const env of [{ COLLECTIVUS_DISABLE_UPDATE_CHECK: "1" }, { CI: "1" }, { GITHUB_ACTIONS: "true" }]) {
    assert.equal(updateNoticeEnabled({ ...tty, env }), false, JSON.stringify(env));
  }
  assert.equal(updateNoticeEnabled({ ...tty, env: { CI: "false", COLLECTIVUS_DISABLE_UPDATE_CHECK: "0" } }), true);
  assert.equal(updateNoticeEnabled({ ...tty, env: { INVOCATION_ID: "abc" } }), false);
  assert.equal(updateNoticeEnabled({ ...tty, command: "claude-hook" }), false);
  assert.equal(updateNoticeEnabled({ ...tty, stderrIsTTY: false }), false);
  assert.equal(updateNoticeEnabled({ ...tty, stdoutIsTTY: false }), false);
});

test("checkIsDue(), isNewerVersion() and installKind()", () => {
  const now = new Date("2026-03-02T12:00:00Z");
  assert.equal(checkIsDue(undefined, now), true);
  assert.equal(checkIsDue({ checked_at: "2026-03-02T00:00:00Z" }, now), false);
  assert.equal(checkIsDue({ checked_at: new Date(now.getTime() - CHECK_INTERVAL_MS).toISOString() }, now), true);
  assert.equal(checkIsDue({ checked_at: "2026-03-03T00:00:00Z" }, now), true, "a clock set back asks again");
  assert.equal(checkIsDue({ checked_at: "garbage" }, now), true);
  assert.equal(isNewerVersion("1.2.10", "1.2.9"), true);
  assert.equal(isNewerVersion("1.2.9", "1.2.9"), false);
  assert.equal(isNewerVersion("1.3.0-beta.2", "1.3.0-beta.10"), false);
  assert.equal(installKind(["/usr/local/bin/ctvs"]), "binary");
  assert.equal(installKind(["/usr/bin/node", "/usr/lib/node_modules/collectivus/ctvs.mjs"]), "npm");
  assert.equal(installKind(["/usr/bin/deno", "run", "--allow-all", "/src/collectivus/main.ts"]), "source");
  assert.equal(installKind(["/x/node_modules/deno/deno", "run", "-A", "/src/main.ts"]), "source");
});

test("ctvs update-check asks the registry, caches the answer and prints it", async () => {
  const home = await tempDir();
  const registry = await fakeRegistry("99.0.0");
  try {
    const result = await ctvs(["update-check"], { env: { HOME: home.dir, COLLECTIVUS_UPDATE_REGISTRY: registry.url } });
    assert.deepEqual(result, { code: 0, stdout: NOTICE, stderr: "" });
    assert.deepEqual(registry.asked, ["/collectivus/latest"]);
    assert.equal(readUpdateCache(updateCachePath(home.dir))?.latest, "99.0.0");
    const down = await ctvs(["update-check"], {
      env: { HOME: home.dir, COLLECTIVUS_UPDATE_REGISTRY: "http://127.0.0.1:9" },
    });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /^error: cannot check for a newer collectivus: /);
    // A registry that does not have the package (npmjs.org before the first publish).
    const absent = await ctvs(["update-check"], {
      env: { HOME: home.dir, COLLECTIVUS_UPDATE_REGISTRY: `${registry.url}/elsewhere` },
    });
    assert.deepEqual(absent, {
      code: 1,
      stdout: "",
      stderr:
        `error: cannot check for a newer collectivus: ${registry.url}/elsewhere/collectivus/latest answered 404: ` +
        "collectivus is not published on that registry",
    });
  } finally {
    await registry.close();
    await home.remove();
  }
});

test("on a terminal, the cached newer version is announced after the command, and a fresh cache asks nothing", async () => {
  const home = await tempDir();
  const registry = await fakeRegistry("99.0.0");
  try {
    await writeCache(home.dir, { checked_at: new Date().toISOString(), latest: "99.0.0" });
    const { screen, code } = await onPty(["--version"], noticeEnv(home.dir, registry.url));
    assert.equal(code, 0);
    assert.equal(screen.trim(), `${VERSION}\n${NOTICE}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(registry.asked, []);
  } finally {
    await registry.close();
    await home.remove();
  }
});

test("a day-old cache is refreshed in the background: the command ends before the registry answers", async () => {
  const home = await tempDir();
  // The registry takes 4 s to answer; the command must not wait for it.
  const registry = await fakeRegistry("99.0.0", 4000);
  try {
    await writeCache(home.dir, { checked_at: "2020-01-01T00:00:00.000Z", latest: "0.0.1" });
    const { screen, code } = await onPty(["--version"], noticeEnv(home.dir, registry.url));
    assert.equal(code, 0);
    assert.equal(screen.trim(), VERSION, "nothing newer was cached yet");
    assert.equal(registry.answered(), 0, "ctvs finished before the registry answered");
    // The check records that it started, before the registry answers: other commands today start no other.
    await until(
      "the background check has recorded that it started",
      () => Date.now() - Date.parse(readUpdateCache(updateCachePath(home.dir))?.checked_at ?? "2020-01-01") < 60_000,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    assert.equal(registry.answered(), 0);
    // The detached check asks, and caches the answer when it comes.
    await until("the background check has asked the registry", () => registry.asked.length === 1, {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    await until(
      "the background check has cached 99.0.0",
      () => readUpdateCache(updateCachePath(home.dir))?.latest === "99.0.0",
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const next = await onPty(["--version"], noticeEnv(home.dir, registry.url));
    assert.equal(next.screen.trim(), `${VERSION}\n${NOTICE}`);
    assert.equal(registry.asked.length, 1);
  } finally {
    await registry.close();
    await home.remove();
  }
});

test("no notice and no registry request with COLLECTIVUS_DISABLE_UPDATE_CHECK=1, in CI, in the hook, or piped", async () => {
  const home = await tempDir();
  const registry = await fakeRegistry("99.0.0");
  try {
    await writeCache(home.dir, { checked_at: "2020-01-01T00:00:00.000Z", latest: "99.0.0" });
    const quiet: Record<string, string>[] = [{ COLLECTIVUS_DISABLE_UPDATE_CHECK: "1" }, { CI: "true" }];
    for (const extra of quiet) {
      const { screen, code } = await onPty(["--version"], noticeEnv(home.dir, registry.url, extra));
      assert.deepEqual({ screen: screen.trim(), code }, { screen: VERSION, code: 0 }, JSON.stringify(extra));
    }
    const hook = await onPty(["claude-hook", "--help"], noticeEnv(home.dir, registry.url));
    assert.doesNotMatch(hook.screen, /newer version/);
    const piped = await ctvs(["--version"], { env: noticeEnv(home.dir, registry.url) });
    assert.deepEqual(piped, { code: 0, stdout: VERSION, stderr: "" });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual(registry.asked, []);
    assert.equal(readUpdateCache(updateCachePath(home.dir))?.checked_at, "2020-01-01T00:00:00.000Z");
  } finally {
    await registry.close();
    await home.remove();
  }
});
