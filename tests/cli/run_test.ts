/**
 * The collector runner as a user meets it: a real child process, real sockets, real signals, a real PID file.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { test } from "node:test";
import { DUPLICATE_SIGNAL_MS } from "../../cli/run.ts";
import { boundAddress, Child, ctvs, denoRun, freePort, startCtvs, tempDir } from "../helpers/child.ts";
import { eventually } from "../helpers/until.ts";

interface Home {
  dir: string;
  env: Record<string, string>;
  /** Writes a config file under the home dir and returns its path. */
  config(value: unknown, name?: string): Promise<string>;
  remove(): Promise<void>;
}

async function home(): Promise<Home> {
  const temp = await tempDir();
  return {
    dir: temp.dir,
    env: { HOME: temp.dir },
    async config(value, name = "collectivus.json") {
      const file = path.join(temp.dir, name);
      await fs.writeFile(file, typeof value === "string" ? value : JSON.stringify(value, null, 2));
      return file;
    },
    remove: temp.remove,
  };
}

function listeners(sinkDir: string, otel = "127.0.0.1:0", proxy = "127.0.0.1:0") {
  return {
    version: 1,
    gateway_id: "testgw",
    otel: { listen: otel },
    proxy: {
      listen: proxy,
      upstreams: [{ name: "anthropic", base_url: "https://api.anthropic.com", match: { path_prefix: "/v1/messages" } }],
    },
    sink: { type: "file", dir: sinkDir },
  };
}

async function get(address: string, pathname = "/"): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://${address}${pathname}`);
  return { status: response.status, text: await response.text() };
}

function refuses(address: string): Promise<boolean> {
  const [host, port] = [
    address.slice(0, address.lastIndexOf(":")),
    Number(address.slice(address.lastIndexOf(":") + 1)),
  ];
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

test("with no config source and no ~/.hyp/collectivus.json, the runner asks for one (exit 2)", async () => {
  const h = await home();
  try {
    const { code, stdout, stderr } = await ctvs([], { env: h.env });
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.equal(
      stderr.split("\n\n")[0],
      "error: --config <path|url>, --config-env <env-var>, or --config-endpoint <url> is required\n" +
        `hint: ${h.dir}/.hyp/collectivus.json does not exist yet: \`ctvs init\` (on a terminal) writes it, ` +
        "or --default-config uses the built-in config",
    );
  } finally {
    await h.remove();
  }
});

test("~/.hyp/collectivus.json is the default config when it exists", async () => {
  const h = await home();
  try {
    await fs.mkdir(path.join(h.dir, ".hyp"));
    await fs.writeFile(path.join(h.dir, ".hyp", "collectivus.json"), '{"version": 1, "role": "standalone"}');
    const { code, stdout } = await ctvs(["--print-config"], { env: h.env });
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), { version: 1, role: "standalone" });
  } finally {
    await h.remove();
  }
});

test("--default-config is the embedded config, recording under ~/.hyp/collectivus", async () => {
  const h = await home();
  try {
    const { code, stdout } = await ctvs(["--default-config", "--print-config"], { env: h.env });
    assert.equal(code, 0);
    const config = JSON.parse(stdout);
    assert.equal(config.proxy.listen, "127.0.0.1:8787");
    assert.equal(config.otel.listen, "127.0.0.1:4318");
    assert.deepEqual(
      config.proxy.upstreams.map((u: { base_url: string; match: { path_prefix: string } }) => [
        u.match.path_prefix,
        u.base_url,
      ]),
      [["/v1/messages", "https://api.anthropic.com"], ["/v1", "https://api.openai.com"]],
    );
    assert.equal(config.sink.dir, path.join(h.dir, ".hyp", "collectivus"));
  } finally {
    await h.remove();
  }
});

test("--config-env reads the config from an environment variable", async () => {
  const h = await home();
  try {
    const env = { ...h.env, CTVS_CONFIG: '{"version": 1, "gateway_id": "laptop"}' };
    const { code, stdout } = await ctvs(["--config-env", "CTVS_CONFIG", "--print-config"], { env });
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), { version: 1, gateway_id: "laptop" });
  } finally {
    await h.remove();
  }
});

test("a config without listeners exits 1 with error: no listeners configured", async () => {
  const h = await home();
  try {
    const file = await h.config({ version: 1, sink: { type: "file", dir: path.join(h.dir, "data") } });
    const { code, stderr } = await ctvs(["--config", file], { env: h.env });
    assert.equal(code, 1);
    assert.equal(stderr, "error: no listeners configured");
  } finally {
    await h.remove();
  }
});

test("the runner starts both listeners, writes the PID file, and SIGTERM drains and exits 0", async () => {
  const h = await home();
  try {
    const sinkDir = path.join(h.dir, "data");
    const child = startCtvs(["--config", await h.config(listeners(sinkDir))], { env: h.env });
    const otelLine = await child.waitFor(/^OTLP listener bound on/);
    const proxyLine = await child.waitFor(/^Proxy listener bound on/);
    assert.match(
      otelLine,
      /^OTLP listener bound on 127\.0\.0\.1:\d+, writing to .*\/testgw\/<signal>\/<UTC-date>\.jsonl$/,
    );
    assert.equal(proxyLine.endsWith(`, recording to ${sinkDir}/testgw/proxy/<UTC-date>.jsonl`), true, proxyLine);
    assert.ok(otelLine.startsWith(`OTLP listener bound on`) && otelLine.includes(`${sinkDir}/testgw/`));
    for (const line of [otelLine, proxyLine]) {
      const banner = await get(boundAddress(line));
      assert.equal(banner.status, 200);
      assert.match(banner.text, /collectivus \S+: OTLP collector and pass-through LLM proxy/);
    }
    const pidFile = path.join(h.dir, ".collectivus", "runtime", "collectivus.pid");
    // The PID file is written right after the listeners are up, so it may trail the start lines a little.
    assert.equal(await eventually(() => fs.readFile(pidFile, "utf8")).then((t) => t.trim()), String(child.process.pid));

    child.kill("SIGTERM");
    const { code } = await child.exited;
    assert.equal(code, 0, child.transcript());
    assert.deepEqual(child.stdout.slice(-2), ["Received SIGTERM, shutting down...", "Shutdown complete."]);
    assert.deepEqual(child.stderr, []);
    await assert.rejects(fs.stat(pidFile), { code: "ENOENT" });
    assert.equal(await refuses(boundAddress(otelLine)), true);
  } finally {
    await h.remove();
  }
});

test("SIGINT stops the runner the same way", async () => {
  const h = await home();
  try {
    const child = startCtvs(["--config", await h.config(listeners(path.join(h.dir, "data")))], { env: h.env });
    await child.waitFor(/^Proxy listener bound on/);
    child.kill("SIGINT");
    assert.equal((await child.exited).code, 0);
    assert.deepEqual(child.stdout.slice(-2), ["Received SIGINT, shutting down...", "Shutdown complete."]);
  } finally {
    await h.remove();
  }
});

test("a listener that cannot bind stops the ones already started and exits 1", async () => {
  const h = await home();
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  const taken = (blocker.address() as net.AddressInfo).port;
  try {
    const config = listeners(path.join(h.dir, "data"), "127.0.0.1:0", `127.0.0.1:${taken}`);
    const child = startCtvs(["--config", await h.config(config)], { env: h.env });
    const { code } = await child.exited;
    assert.equal(code, 1, child.transcript());
    assert.match(child.stdout[0], /^OTLP listener bound on 127\.0\.0\.1:\d+/);
    assert.deepEqual(child.stderr.length, 2, child.transcript());
    assert.match(
      child.stderr[0],
      new RegExp(`^error: failed to start listener: EADDRINUSE: .*127\\.0\\.0\\.1:${taken}`),
    );
    assert.equal(
      child.stderr[1],
      "hint: another program listens there: stop it, or give this config other listen addresses " +
        "(a port of 0 picks a free one)",
    );
    assert.equal(await refuses(boundAddress(child.stdout[0])), true);
  } finally {
    blocker.close();
    await h.remove();
  }
});

test("a second ctvs on the same addresses names the one running (its PID file) and exits 1", async () => {
  const h = await home();
  try {
    const file = await h.config(listeners(path.join(h.dir, "data"), "127.0.0.1:0", `127.0.0.1:${await freePort()}`));
    const first = startCtvs(["--config", file], { env: h.env });
    await first.waitFor(/^Proxy listener bound on/);
    const pidFile = path.join(h.dir, ".collectivus", "runtime", "collectivus.pid");
    // The PID file is written once every listener is up.
    const deadline = Date.now() + 10_000;
    while (!(await fs.stat(pidFile).then(() => true, () => false)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const second = startCtvs(["--config", file], { env: h.env });
    assert.equal((await second.exited).code, 1, second.transcript());
    assert.equal(
      second.stderr.at(-1),
      `hint: ctvs is already running (pid ${first.process.pid}, ${pidFile}; \`ctvs status\` shows it): ` +
        "stop it, or give this config other listen addresses (a port of 0 picks a free one)",
    );
    first.kill("SIGTERM");
    assert.equal((await first.exited).code, 0);
  } finally {
    await h.remove();
  }
});

test("a sink directory that cannot be written is a clear start error, not a crash", async () => {
  const h = await home();
  try {
    // A path below a regular file cannot be created, even by root.
    const blocker = path.join(h.dir, "not-a-dir");
    await fs.writeFile(blocker, "");
    const child = startCtvs(["--config", await h.config(listeners(path.join(blocker, "data")))], { env: h.env });
    const { code } = await child.exited;
    assert.equal(code, 1, child.transcript());
    assert.match(child.stderr.join("\n"), /^error: Cannot write to sink directory .*not-a-dir\/data: /);
    assert.deepEqual(child.stdout, []);
  } finally {
    await h.remove();
  }
});

/** Starts the slow-listener fixture (the real runner plus a listener with adjustable request time). */
async function startSlow(h: Home): Promise<{ child: Child; address: string }> {
  const [command, args] = denoRun("tests/fixtures/slow_runner.ts", [
    "--config",
    await h.config(listeners(path.join(h.dir, "data"))),
  ]);
  const child = new Child(command, args, { env: h.env });
  const line = await child.waitFor(/^Slow listener bound on/);
  await child.waitFor(/^Proxy listener bound on/);
  return { child, address: line.slice("Slow listener bound on ".length) };
}

test("SIGTERM waits for in-flight requests, refuses new ones, then exits 0", async () => {
  const h = await home();
  try {
    const { child, address } = await startSlow(h);
    const response = await fetch(`http://${address}/slow?ms=1500`);
    let answered = false;
    const body = response.text().then((text) => (answered = true, text));
    child.kill("SIGTERM");
    await child.waitFor(/^Received SIGTERM, shutting down\.\.\.$/);
    await eventually(async () => assert.ok(await refuses(address), "new connections are refused"));
    assert.equal(answered, false, "refused while the request in flight was still running");
    assert.equal(await body, "start\nend\n");
    assert.equal((await child.exited).code, 0);
    assert.equal(child.stdout.at(-1), "Shutdown complete.");
    assert.deepEqual(child.stderr, []);
  } finally {
    await h.remove();
  }
});

test("the drain is bounded: after 5 s the runner warns and exits 0 anyway", async () => {
  const h = await home();
  try {
    const { child, address } = await startSlow(h);
    const response = await fetch(`http://${address}/slow?ms=60000`);
    // Keep reading (not cancelling) so the request stays in flight on the server.
    const pending = response.text().catch(() => "cut");
    const started = Date.now();
    child.kill("SIGTERM");
    const { code } = await child.exited;
    const elapsed = Date.now() - started;
    assert.equal(code, 0, child.transcript());
    assert.ok(elapsed >= 4900 && elapsed < 9000, `exited after ${elapsed} ms`);
    assert.deepEqual(child.stderr, ["warning: drain exceeded 5000ms; forcing exit"]);
    assert.equal(child.stdout.at(-1), "Shutdown complete.");
    assert.equal(await pending, "cut");
  } finally {
    await h.remove();
  }
});

test("a second SIGTERM during the drain (not a duplicate of the first) exits at once with 1", async () => {
  const h = await home();
  try {
    const { child, address } = await startSlow(h);
    const response = await fetch(`http://${address}/slow?ms=60000`);
    const pending = response.text().catch(() => "cut");
    child.kill("SIGTERM");
    await child.waitFor(/^Received SIGTERM/);
    // The child took the first signal before it printed that line: its duplicate window ends by this time.
    const windowEnds = Date.now() + DUPLICATE_SIGNAL_MS;
    child.kill("SIGTERM"); // at once: taken as the same signal delivered twice (a terminal plus `deno task`)
    // Waiting is the point here: a signal is "again" only once the window has passed.
    await new Promise((resolve) => setTimeout(resolve, windowEnds + 50 - Date.now()));
    assert.equal(child.stderr.length, 0, child.transcript());
    child.kill("SIGTERM");
    assert.equal((await child.exited).code, 1);
    assert.notEqual(child.stdout.at(-1), "Shutdown complete.");
    assert.deepEqual(child.stderr, ["warning: received SIGTERM again; exiting without waiting for the drain"]);
    assert.equal(await pending, "cut");
  } finally {
    await h.remove();
  }
});

test("SIGHUP re-reads the file and restarts only the listener whose section changed", async () => {
  const h = await home();
  try {
    const [otelPort, proxyPort, newProxyPort] = [await freePort(), await freePort(), await freePort()];
    const sinkDir = path.join(h.dir, "data");
    const file = await h.config(listeners(sinkDir, `127.0.0.1:${otelPort}`, `127.0.0.1:${proxyPort}`));
    const child = startCtvs(["--config", file], { env: h.env });
    await child.waitFor(/^Proxy listener bound on/);
    const before = child.stdout.length;

    await h.config(listeners(sinkDir, `127.0.0.1:${otelPort}`, `127.0.0.1:${newProxyPort}`));
    child.kill("SIGHUP");
    await child.waitFor(/^local reload: started proxy$/);
    assert.deepEqual(child.stdout.slice(before), [
      "local reload: applying config",
      "local reload: stopped proxy",
      `Proxy listener bound on 127.0.0.1:${newProxyPort}, recording to ${sinkDir}/testgw/proxy/<UTC-date>.jsonl`,
      "local reload: started proxy",
    ]);
    assert.equal(await refuses(`127.0.0.1:${proxyPort}`), true);
    assert.equal((await get(`127.0.0.1:${newProxyPort}`)).status, 200);
    assert.equal((await get(`127.0.0.1:${otelPort}`)).status, 200);

    // An unchanged file restarts nothing.
    child.kill("SIGHUP");
    await child.waitFor(/^local reload: no listener changed$/);

    // A broken file keeps the running config.
    await h.config('{"version": 1, "proxy": {"listen": "127.0.0.1:1", "upsteams": []}}');
    child.kill("SIGHUP");
    const error = await child.waitFor(/^config error:/);
    assert.equal(error, 'config error: /proxy/upsteams: unknown key "upsteams"; keeping the running config');
    assert.equal((await get(`127.0.0.1:${newProxyPort}`)).status, 200);

    child.kill("SIGTERM");
    assert.equal((await child.exited).code, 0);
  } finally {
    await h.remove();
  }
});

test("a reload whose new port is taken reports it and keeps the previous listener", async () => {
  const h = await home();
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  const taken = (blocker.address() as net.AddressInfo).port;
  try {
    const proxyPort = await freePort();
    const sinkDir = path.join(h.dir, "data");
    const file = await h.config(listeners(sinkDir, "127.0.0.1:0", `127.0.0.1:${proxyPort}`));
    const child = startCtvs(["--config", file], { env: h.env });
    await child.waitFor(/^Proxy listener bound on/);
    await h.config(listeners(sinkDir, "127.0.0.1:0", `127.0.0.1:${taken}`));
    child.kill("SIGHUP");
    await child.waitFor(/^local reload: kept the previous proxy config$/);
    assert.match(child.stderr.join("\n"), /^error: failed to start listener: EADDRINUSE: /);
    assert.equal((await get(`127.0.0.1:${proxyPort}`)).status, 200);
    child.kill("SIGTERM");
    assert.equal((await child.exited).code, 0);
  } finally {
    blocker.close();
    await h.remove();
  }
});

test("SIGHUP is ignored, with a warning, when the config did not come from a file", async () => {
  const h = await home();
  try {
    const env = { ...h.env, CTVS_CONFIG: JSON.stringify(listeners(path.join(h.dir, "data"))) };
    const child = startCtvs(["--config-env", "CTVS_CONFIG"], { env });
    await child.waitFor(/^Proxy listener bound on/);
    child.kill("SIGHUP");
    const warning = await child.waitFor(/^warning: SIGHUP ignored/);
    assert.equal(
      warning,
      "warning: SIGHUP ignored: the config came from env:CTVS_CONFIG, and only a file can be re-read",
    );
    child.kill("SIGTERM");
    assert.equal((await child.exited).code, 0);
  } finally {
    await h.remove();
  }
});

test("a sink dir starting with ~ is under the home directory", async () => {
  const h = await home();
  try {
    const child = startCtvs(["--config", await h.config(listeners("~/recordings"))], { env: h.env });
    const line = await child.waitFor(/^Proxy listener bound on/);
    assert.equal(line.endsWith(`recording to ${h.dir}/recordings/testgw/proxy/<UTC-date>.jsonl`), true, line);
    assert.equal((await fs.stat(path.join(h.dir, "recordings", "testgw"))).isDirectory(), true);
    child.kill("SIGTERM");
    assert.equal((await child.exited).code, 0);
  } finally {
    await h.remove();
  }
});
