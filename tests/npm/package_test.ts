/**
 * The npm package, end to end: build it (`scripts/build_npm.ts`), `npm pack` it, `npm install` the tarball into a
 * fresh folder (real npm, real registry for the dependencies), and run the installed `ctvs` under Node: the running
 * Node 20, and Node 22 and 24 from npm's packages of Node builds (tests/helpers/node_versions.ts). The library entry
 * runs the API example of docs/api.md, and TypeScript checks it against the package's declarations.
 */
import { execFile, spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { V8_FLAGS } from "../../platform/v8_flags.ts";
import { DATASETS } from "../../query/datasets.ts";
import { VERSION } from "../../platform/version.ts";
import { allowedInPackage } from "../../scripts/build_npm.ts";
import { startFakeUpstream } from "../fixtures/fake_upstream.ts";
import { SupervisorDouble } from "../fixtures/gascity_supervisor.ts";
import { repeatedTranscript, ROWS_PER_COPY } from "../fixtures/gascity_transcript.ts";
import { apiExample, assertExampleOutput } from "../helpers/api_example.ts";
import { nodeBinDir } from "../helpers/node_versions.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MINUTE = 60_000;

/** A finished child process. */
interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** The environment for npm: without the `npm_*` variables an outer `npx`/`npm run` sets (prefix, command, ...). */
function npmEnv(): Record<string, string> {
  const keep = /^npm_config_(cache|registry|userconfig|globalconfig|cafile|strict_ssl|proxy|https_proxy|noproxy)$/i;
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || keep.test(key)),
  ) as Record<string, string>;
}

/** Runs `command` to completion; kills it and fails after `timeoutMs`. */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs: number },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => stdout += chunk);
    child.stderr.setEncoding("utf8").on("data", (chunk) => stderr += chunk);
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} timed out after ${options.timeoutMs} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Fails with the child's output when it did not exit 0. */
function assertSuccess(result: Run, what: string): void {
  assert.equal(result.code, 0, `${what} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
}

interface Installed {
  /** The temp folder holding everything this file creates. */
  base: string;
  /** The folder the tarball was installed into (with typescript and @types/node for the type check). */
  project: string;
  /** What scripts/build_npm.ts printed. */
  buildOutput: string;
  /** The tarball's files, as `npm pack --json` listed them. */
  packedFiles: string[];
  /** `node_modules/.bin/ctvs` of the install. */
  bin: string;
  /** HOME for the ctvs child processes. */
  home: string;
}

let installing: Promise<Installed> | undefined;
let base: string | undefined;

/** Builds, packs and installs the package once; every test awaits the same install. */
function installed(): Promise<Installed> {
  installing ??= (async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), "ctvs-npm-test-"));
    const dist = path.join(base, "dist");
    const packs = path.join(base, "packs");
    const project = path.join(base, "project");
    const home = path.join(base, "home");
    await Promise.all([packs, project, home].map((dir) => fs.mkdir(dir)));

    const build = await run(process.execPath, ["run", "--allow-all", "scripts/build_npm.ts", "--out-dir", dist], {
      cwd: ROOT,
      timeoutMs: 5 * MINUTE,
    });
    assertSuccess(build, "scripts/build_npm.ts");

    const pack = await run("npm", ["pack", "--json", "--pack-destination", packs], {
      cwd: dist,
      env: npmEnv(),
      timeoutMs: 2 * MINUTE,
    });
    assertSuccess(pack, "npm pack");
    const [{ filename, files }] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("[")));
    const tarball = path.join(packs, filename);

    await fs.writeFile(
      path.join(project, "package.json"),
      JSON.stringify({ name: "ctvs-install-test", private: true }),
    );
    // TypeScript and Node's types check the API example against the package's declarations, as a user's editor would.
    const install = await run("npm", [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      tarball,
      "typescript@5.9.3",
      "@types/node@^20",
    ], {
      cwd: project,
      env: npmEnv(),
      timeoutMs: 10 * MINUTE,
    });
    assertSuccess(install, "npm install");
    return {
      base,
      project,
      buildOutput: build.stdout,
      packedFiles: files.map((f: { path: string }) => f.path).sort(),
      bin: path.join(project, "node_modules", ".bin", "ctvs"),
      home,
    };
  })();
  return installing;
}

/** The environment of a ctvs child: HOME (and USERPROFILE) in the temp folder. */
function ctvsEnv(home: string): Record<string, string> {
  // A terminal would ask the real npm registry for a newer version (tests/cli/update_notice_test.ts covers that).
  return { ...npmEnv(), HOME: home, USERPROFILE: home, NO_COLOR: "1", COLLECTIVUS_DISABLE_UPDATE_CHECK: "1" };
}

/** Runs the installed `ctvs` under Node with `args`. */
async function ctvs(args: string[], timeoutMs = MINUTE): Promise<Run> {
  const { bin, home } = await installed();
  // The bin is the package's launcher (`#!/usr/bin/env node`); Windows needs node named explicitly.
  const [command, argv] = process.platform === "win32" ? ["node", [bin, ...args]] : [bin, args];
  return await run(command, argv, { cwd: home, env: ctvsEnv(home), timeoutMs });
}

after(async () => {
  if (base) await fs.rm(base, { recursive: true, force: true });
});

test("npm package: builds, packs and installs with npm", async () => {
  const { bin } = await installed();
  const manifest = JSON.parse(
    await fs.readFile(path.join(path.dirname(bin), "..", "collectivus", "package.json"), "utf8"),
  );
  assert.equal(manifest.version, VERSION);
  assert.equal(manifest.type, "module");
  assert.deepEqual(manifest.bin, { ctvs: "bin/ctvs.mjs", collectivus: "bin/ctvs.mjs" });
  assert.ok(manifest.dependencies["jsonc-parser"], "jsonc-parser is a dependency, not bundled");
});

test("npm package: ctvs --help prints the usage and exits 0", async () => {
  const result = await ctvs(["--help"]);
  assertSuccess(result, "ctvs --help");
  assert.match(result.stdout, /^Usage: ctvs \[options\]/);
  assert.match(result.stdout, /--print-config/);
});

test("npm package: ctvs --version prints VERSION", async () => {
  const result = await ctvs(["--version"]);
  assertSuccess(result, "ctvs --version");
  assert.equal(result.stdout.trim(), VERSION);
});

test("npm package: ctvs --print-config reads a JSONC file (jsonc-parser under Node)", async () => {
  const { home } = await installed();
  const sink = path.join(home, "recordings");
  const file = path.join(home, "commented.json");
  await fs.writeFile(
    file,
    `// collectivus config, with comments and trailing commas
{
  "version": 1, /* the only version */
  "otel": { "listen": "127.0.0.1:4318" },
  "sink": { "type": "file", "dir": ${JSON.stringify(sink)}, },
}
`,
  );
  const result = await ctvs(["--config", file, "--print-config"]);
  assertSuccess(result, "ctvs --print-config");
  const expected = { version: 1, otel: { listen: "127.0.0.1:4318" }, sink: { type: "file", dir: sink } };
  assert.equal(result.stdout, JSON.stringify(expected, null, 2) + "\n");
});

test("npm package: the parsers under Node: Codex TOML (smol-toml), a glob (picomatch), a CJK table (string-width)", async () => {
  const { home } = await installed();
  const codex = path.join(home, ".codex", "config.toml");
  await fs.mkdir(path.dirname(codex), { recursive: true });
  await fs.writeFile(codex, "model_provider = 'openai'\n\n[profiles.x]\nmodel = 'o3'\n");
  assertSuccess(await ctvs(["attach", "--port", "8787", "--client", "codex"]), "ctvs attach --client codex");
  const attached = await fs.readFile(codex, "utf8");
  assert.match(attached, /^model_provider = "collectivus"$/m);
  assert.doesNotMatch(attached, /'openai'/);

  const data = path.join(home, "glob-data");
  await fs.mkdir(path.join(data, "a"), { recursive: true });
  await fs.writeFile(path.join(data, "a", "x.jsonl"), '{"name":"日本語","n":1}\n');
  await fs.writeFile(path.join(data, "y.jsonl"), '{"name":"abc","n":2}\n');
  const config = path.join(home, "glob-config.json");
  await fs.writeFile(config, JSON.stringify({ version: 1, sink: { type: "file", dir: path.join(home, "glob-rec") } }));
  const collect = await ctvs(["collect", "--glob", `${data}/**/*.jsonl`, "--name", "runs", "--config", config]);
  assertSuccess(collect, "ctvs collect --glob");
  assert.match(collect.stdout, /^Done\. 2 file\(s\) written, 0 fresh, 2 row\(s\)\.$/m);
  const table = await ctvs(["query", "sql", "select name, n from runs order by n", "--config", config]);
  assertSuccess(table, "ctvs query sql");
  assert.equal(table.stdout, "name    n\n------  -\n日本語  1\nabc     2\n(2 rows)\n");
});

test(
  "npm package: Gas City capture under Node: attach by city.toml, the collector records a session, backfill, status",
  {
    skip: process.platform === "win32" ? "no SIGTERM on Windows" : false,
  },
  async () => {
    const { bin, home } = await installed();
    const double = await SupervisorDouble.start({ cities: ["node-city"], keepaliveMs: 500 });
    const lines = repeatedTranscript(2);
    double.addSession("node-city", { id: "s-1", template: "mayor", state: "active", provider: "claude" }, lines);
    double.addSession("node-city", { id: "s-0", template: "mayor", state: "closed", provider: "claude" }, lines);
    const dir = path.join(home, "gascity");
    const config = path.join(dir, "collectivus.json");
    await fs.mkdir(path.join(dir, "city"), { recursive: true });
    await fs.writeFile(path.join(dir, "city", "city.toml"), '[workspace]\nname = "node-city"\n');
    await fs.writeFile(
      config,
      JSON.stringify({ version: 1, gateway_id: "gw", sink: { type: "file", dir: path.join(dir, "rec") } }),
    );
    const flags = ["--config", config, "--pid-file", path.join(dir, "ctvs.pid")];
    assertSuccess(
      await ctvs(["gascity", "attach", path.join(dir, "city"), "--api-url", double.url, ...flags]),
      "attach",
    );
    const child = spawn(bin, flags, { cwd: home, env: ctvsEnv(home), stdio: ["ignore", "ignore", "pipe"] });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    try {
      const rows = async () => {
        const status = await ctvs(["gascity", "status", "--config", config, "--format", "json"]);
        return JSON.parse(status.stdout)[0]?.sessions?.[0]?.rows ?? 0;
      };
      const deadline = Date.now() + MINUTE;
      while ((await rows()) < 2 * ROWS_PER_COPY && Date.now() < deadline) await new Promise((r) => setTimeout(r, 300));
      assert.equal(await rows(), 2 * ROWS_PER_COPY);
      const backfill = await ctvs(["gascity", "backfill", "--all", "--config", config]);
      assertSuccess(backfill, "ctvs gascity backfill");
      assert.match(
        backfill.stdout,
        new RegExp(`^node-city/s-0 \\(mayor\\): \\d+ line\\(s\\) recorded .*, ${2 * ROWS_PER_COPY} row`, "m"),
      );
    } finally {
      process.kill(child.pid!, "SIGTERM");
      assert.equal(await exited, 0);
      await double.close();
    }
  },
);

test("npm package: a bad config exits 1 with a config error", async () => {
  const { home } = await installed();
  const file = path.join(home, "broken.json");
  await fs.writeFile(file, '{\n  "version": 1, // fine so far\n  "otel": \n}\n');
  const result = await ctvs(["--config", file, "--print-config"]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /^config error: invalid JSON in .*broken\.json at line \d+, column \d+: /);
  assert.equal(result.stdout, "");
});

test("npm package: an unknown flag exits 2", async () => {
  const result = await ctvs(["--no-such-flag"]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /--no-such-flag/);
  assert.match(result.stderr, /Usage: ctvs/);
});

test("npm package: the collector starts under Node, serves its banners, proxies and records, and stops on SIGTERM", {
  skip: process.platform === "win32" ? "no SIGTERM on Windows" : false,
}, async () => {
  const { bin, home } = await installed();
  const fake = await startFakeUpstream();
  const file = path.join(home, "serve.json");
  await fs.writeFile(
    file,
    JSON.stringify({
      version: 1,
      otel: { listen: "127.0.0.1:0" },
      proxy: {
        listen: "127.0.0.1:0",
        upstreams: [
          { name: "fake", base_url: fake.url, match: { path_prefix: "/v1" } },
          { name: "down", base_url: "http://127.0.0.1:9", match: { path_prefix: "/down" } },
        ],
      },
      sink: { type: "file", dir: path.join(home, "serve-recordings") },
    }),
  );
  const child = spawn(bin, ["--config", file, "--pid-file", path.join(home, "ctvs.pid")], {
    cwd: home,
    env: ctvsEnv(home),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8").on("data", (chunk) => stderr += chunk);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 2 * MINUTE);
  try {
    const ports = await new Promise<{ otlp: number; proxy: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start lines within 60 s:\n${stdout}\n${stderr}`)), MINUTE);
      child.stdout.on("data", (chunk) => {
        stdout += chunk;
        const otlp = /^OTLP listener bound on 127\.0\.0\.1:(\d+), /m.exec(stdout);
        const proxy = /^Proxy listener bound on 127\.0\.0\.1:(\d+), /m.exec(stdout);
        if (otlp && proxy) {
          clearTimeout(timer);
          resolve({ otlp: Number(otlp[1]), proxy: Number(proxy[1]) });
        }
      });
      exited.then(({ code }) => reject(new Error(`ctvs exited ${code} before starting:\n${stdout}\n${stderr}`)));
    });
    for (const port of [ports.otlp, ports.proxy]) {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      const text = await response.text();
      assert.equal(response.status, 200, text);
      assert.match(text, /collectivus/);
    }
    // The proxy under Node: its HTTP/1.1 client runs on node:net. A streamed answer, a compressed one (relayed as
    // the upstream sent it) and a refused upstream.
    const proxy = `http://127.0.0.1:${ports.proxy}`;
    const body = JSON.stringify({ model: "claude-x", stream: true, messages: [{ role: "user", content: "hi" }] });
    for (const scenario of ["", "gzip-sse"]) {
      const init = {
        method: "POST",
        body,
        headers: { "content-type": "application/json", "x-fake-scenario": scenario },
      };
      const direct = await (await fetch(`${fake.url}/v1/messages`, init)).text();
      const proxied = await fetch(`${proxy}/v1/messages`, init);
      assert.equal(proxied.status, 200);
      assert.equal(await proxied.text(), direct, scenario);
    }
    const refused = await fetch(`${proxy}/down/x`, { method: "POST", body: "{}" });
    assert.equal(refused.status, 502);
    assert.equal((await refused.json()).error, "upstream connection failed");
    // Signalled by pid: Deno's node:child_process reports any child it `kill()`ed as killed by that signal,
    // even when the child handled it and exited 0 (Node reports code 0).
    process.kill(child.pid!, "SIGTERM");
    const { code, signal } = await exited;
    assert.equal(code, 0, `exit ${code} (signal ${signal}):\n${stdout}\n${stderr}`);
    assert.match(stdout, /^Shutdown complete\.$/m);
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
    await fake.close();
  }
  const [gateway] = await fs.readdir(path.join(home, "serve-recordings"));
  const day = `${new Date().toISOString().slice(0, 10)}.jsonl`;
  const recorded = await fs.readFile(path.join(home, "serve-recordings", gateway, "proxy", day), "utf8");
  const exchanges = recorded.split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.kind === "exchange");
  // Sorted: a compressed stream's row waits for its decoder, so it may come after the next exchange's.
  assert.deepEqual(exchanges.map((e) => [e.upstream, e.response.status, e.stream_event_count > 3]).sort(), [
    ["down", 502, false],
    ["fake", 200, true],
    ["fake", 200, true],
  ]);
});

test("npm package: ctvs ui serves its embedded page under Node, with the token required", {
  skip: process.platform === "win32" ? "no SIGTERM on Windows" : false,
}, async () => {
  const { bin, home } = await installed();
  const file = path.join(home, "ui.json");
  await fs.writeFile(file, JSON.stringify({ version: 1, sink: { type: "file", dir: path.join(home, "ui-data") } }));
  const child = spawn(bin, ["ui", "--config", file], {
    cwd: home,
    env: ctvsEnv(home),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8").on("data", (chunk) => output += chunk);
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const killer = setTimeout(() => child.kill("SIGKILL"), 2 * MINUTE);
  try {
    const url = await new Promise<URL>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL within 60 s:\n${output}`)), MINUTE);
      child.stdout.on("data", (chunk) => {
        output += chunk;
        const found = /^ctvs ui: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(output);
        if (found) {
          clearTimeout(timer);
          resolve(new URL(found[1]));
        }
      });
    });
    const page = await fetch(url);
    assert.equal(page.status, 200);
    const token = url.searchParams.get("token")!;
    assert.match(await page.text(), new RegExp(`/assets/app\\.js\\?token=${token}`));
    const script = await fetch(`${url.origin}/assets/app.js?token=${token}`);
    assert.equal(script.status, 200);
    assert.ok((await script.text()).length > 20_000, "the embedded bundle");
    const refused = await fetch(`${url.origin}/api/status`);
    assert.equal(refused.status, 401);
    await refused.body?.cancel();
    const status = await fetch(`${url.origin}/api/status`, { headers: { "x-ctvs-token": token } });
    assert.equal(status.status, 200);
    assert.equal((await status.json()).datasets.length, DATASETS.length);
    // process.kill, not child.kill: Deno's child_process would report the signal instead of the exit code.
    process.kill(child.pid!, "SIGTERM");
    assert.equal(await exited, 0, output);
  } finally {
    clearTimeout(killer);
    child.kill("SIGKILL");
  }
});

/** The Node majors the package supports. */
const NODE_MAJORS = [20, 22, 24];

/** The environment of a child run under Node `major`: its folder first on PATH, so `env node` and `npx` use it. */
async function underNode(major: number, home: string): Promise<Record<string, string>> {
  const env = ctvsEnv(home);
  return { ...env, PATH: `${await nodeBinDir(major)}${path.delimiter}${env.PATH}` };
}

test("npm package: the tarball holds the bundle, types and launcher, no sources, maps or tests; the build prints its size", async () => {
  const { buildOutput, packedFiles } = await installed();
  for (const file of ["lib/main.js", "lib/mod.js", "types/mod.d.ts", "types/api/types.d.ts", "bin/ctvs.mjs"]) {
    assert.ok(packedFiles.includes(file), `${file} is packed: ${packedFiles.join(", ")}`);
  }
  assert.deepEqual(packedFiles.filter((file) => !allowedInPackage(file)), []);
  assert.ok(!packedFiles.some((file) => /\.map$|(^|\/)tests?\/|\.ts$/.test(file.replace(/\.d\.ts$/, ""))));
  assert.match(buildOutput, /^Packed: [\d.]+ KiB \([\d.]+ (KiB|MiB) unpacked, \d+ files\)$/m);
});

for (const major of NODE_MAJORS) {
  test(`npm package on Node ${major}: npx collectivus prints help when piped and starts the walkthrough on a TTY`, {
    skip: process.platform === "win32" ? "the pty driver is POSIX-only" : false,
  }, async () => {
    const { project, home } = await installed();
    const env = await underNode(major, home);
    const version = await run("node", ["--version"], { cwd: project, env, timeoutMs: MINUTE });
    assert.match(version.stdout, new RegExp(`^v${major}\\.`));

    const help = await run("npx", ["--no-install", "collectivus", "--help"], { cwd: project, env, timeoutMs: MINUTE });
    assertSuccess(help, `npx collectivus --help on Node ${major}`);
    assert.match(help.stdout, /^Usage: ctvs \[options\]/);
    const bare = await run("npx", ["--no-install", "collectivus"], { cwd: project, env, timeoutMs: MINUTE });
    assert.equal(bare.code, 2, bare.stderr);
    assert.match(
      bare.stderr,
      /^error: --config <path\|url>, --config-env <env-var>, or --config-endpoint <url> is required/,
    );
    assert.match(bare.stderr, /Usage: ctvs \[options\]/);

    const screen = await onPty(["npx", "--no-install", "collectivus"], [["Choose \\[1\\]: ", "\x03"]], project, env);
    assert.match(screen, /Welcome to collectivus\./);
    assert.match(screen, /What should collectivus record\?/);
  });

  test(`npm package on Node ${major}: the collector runs with ctvs's V8 flags`, {
    skip: process.platform !== "linux" ? "reads /proc" : false,
  }, async () => {
    const { bin, home } = await installed();
    const env = await underNode(major, home);
    const config = path.join(home, `flags-${major}.json`);
    await fs.writeFile(
      config,
      JSON.stringify({
        version: 1,
        otel: { listen: "127.0.0.1:0" },
        sink: { type: "file", dir: path.join(home, "f") },
      }),
    );
    const child = spawn(bin, ["--config", config, "--pid-file", path.join(home, `flags-${major}.pid`)], {
      cwd: home,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => stdout += chunk);
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    try {
      const deadline = Date.now() + MINUTE;
      while (!/OTLP listener bound on/.test(stdout)) {
        if (Date.now() > deadline) assert.fail(`no start line:\n${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // The process that serves: the launcher itself when Node can execve (22.15+), else its one child.
      const own = await cmdline(child.pid!);
      const serving = own.includes(V8_FLAGS[0]) ? own : await cmdline(await onlyChild(child.pid!));
      for (const flag of V8_FLAGS) assert.ok(serving.includes(flag), `${flag} in ${serving.join(" ")}`);
      assert.ok(serving.some((arg) => arg.endsWith(path.join("collectivus", "bin", "ctvs.mjs"))));
      if (major >= 24) assert.ok(own.includes(V8_FLAGS[0]), "Node 24 restarts in place (process.execve)");
    } finally {
      process.kill(child.pid!, "SIGTERM");
    }
    assert.equal(await exited, 0, stdout);
    assert.match(stdout, /^Shutdown complete\.$/m);
  });

  test(`npm package on Node ${major}: the API example of docs/api.md runs from the installed package`, async () => {
    const { project, home } = await installed();
    const fake = await startFakeUpstream();
    const dir = path.join(project, `example-${major}`);
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, "api_example.mjs"), await apiExample());
    try {
      const env = { ...(await underNode(major, home)), ANTHROPIC_UPSTREAM: fake.url, ANTHROPIC_API_KEY: "sk-test" };
      const result = await run("node", ["api_example.mjs"], { cwd: dir, env, timeoutMs: MINUTE });
      assertSuccess(result, `node api_example.mjs on Node ${major}`);
      assertExampleOutput(result.stdout);
      const [gateway] = await fs.readdir(path.join(dir, "recordings"));
      const day = `${new Date().toISOString().slice(0, 10)}.jsonl`;
      const logs = await fs.readFile(path.join(dir, "recordings", gateway, "logs", day), "utf8");
      assert.equal(JSON.parse(logs.trim()).body, "hello from my app");
      assert.equal(fake.requests.length, 1);
    } finally {
      await fake.close();
    }
  });
}

test("npm package: TypeScript checks the API example against the package's declarations", async () => {
  const { project, home } = await installed();
  await fs.writeFile(path.join(project, "typed_example.mjs"), await apiExample());
  // The check can fail: the same program with a number where a listen address goes.
  const wrong = (await apiExample()).replace('otel: { listen: "127.0.0.1:0" }', "otel: { listen: 4318 }");
  assert.notEqual(wrong, await apiExample());
  await fs.writeFile(path.join(project, "wrong_example.mjs"), wrong);
  const tsc = path.join(project, "node_modules", "typescript", "bin", "tsc");
  const args = [tsc, "--noEmit", "--allowJs", "--checkJs", "--strict", "--module", "nodenext", "--target", "es2022"];
  args.push("--types", "node", "typed_example.mjs", "wrong_example.mjs");
  const result = await run("node", args, { cwd: project, env: ctvsEnv(home), timeoutMs: 3 * MINUTE });
  const errors = result.stdout.split("\n").filter((line) => /error TS\d+/.test(line));
  assert.equal(errors.length, 1, result.stdout);
  assert.match(
    errors[0],
    /^wrong_example\.mjs\(\d+,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/,
  );
});

/** The command line of process `pid`. */
async function cmdline(pid: number): Promise<string[]> {
  return (await fs.readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0").filter(Boolean);
}

/** The one child of process `pid`. */
async function onlyChild(pid: number): Promise<number> {
  const tasks = await fs.readdir(`/proc/${pid}/task`);
  const children = (await Promise.all(tasks.map((t) => fs.readFile(`/proc/${pid}/task/${t}/children`, "utf8"))))
    .join(" ").trim().split(/\s+/).filter(Boolean).map(Number);
  assert.equal(children.length, 1, `one child of ${pid}: ${children.join(", ")}`);
  return children[0];
}

/** Runs `command` on a pty (tests/cli/walkthrough_pty.py), typing `steps`; resolves with the screen. */
function onPty(command: string[], steps: [string, string][], cwd: string, env: Record<string, string>) {
  return new Promise<string>((resolve, reject) => {
    execFile(
      "python3",
      [path.join(ROOT, "tests/cli/walkthrough_pty.py"), JSON.stringify(command), JSON.stringify(steps)],
      { cwd, env: { ...env, TERM: "dumb" }, timeout: 2 * MINUTE },
      (error, stdout) => {
        if (error) return reject(error);
        const result = JSON.parse(stdout);
        if (result.stuck_at) return reject(new Error(`no /${result.stuck_at}/ on:\n${result.screen}`));
        resolve(String(result.screen).replaceAll("\r", ""));
      },
    );
  });
}
