/**
 * The container image, built and run with podman: `scripts/container/build_image.sh` builds it (the Debian base made
 * with mmdebstrap when podman's storage lacks it; kept for later runs), then a standalone collector runs in it with
 * its OTLP port published and its recordings on a named volume. A real OpenTelemetry exporter sends logs to the
 * published port, the rows are read from the volume, `ctvs query` and `ctvs export` (DuckDB, Parquet) run inside the
 * container, the HEALTHCHECK passes, and `podman stop` drains it to exit 0. The docker-compose.yml for Central and
 * rendezvous is read with .env.example as Compose would, and Central's config is validated by the image.
 *
 * Where podman cannot work this fails, saying why: it is never skipped (`.ci/run` installs podman and its settings).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { SeverityNumber } from "@opentelemetry/api";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { parseEnvFile } from "../../platform/env_file.ts";
import { VERSION } from "../../platform/version.ts";
import { ROOT } from "../helpers/child.ts";
import { recording } from "../e2e/otlp_ctvs.ts";

const MINUTE = 60_000;
const suffix = `${process.pid}-${randomBytes(3).toString("hex")}`;
/**
 * This run's own tag: another run building at the same time (another worktree on the machine) moves
 * `localhost/collectivus:test` to its image, and this run must go on testing the image of its own sources.
 */
const IMAGE = `localhost/collectivus:test-${suffix}`;
/** The latest image built by a test run: it keeps the final stage's layers as the next build's cache. */
const LATEST = "localhost/collectivus:test";
const CONTAINER = `ctvs-test-${suffix}`;
const VOLUME = `ctvs-test-data-${suffix}`;
const POD = `ctvs-test-pod-${suffix}`;
const CENTRAL = `ctvs-test-central-${suffix}`;
const RENDEZVOUS = `ctvs-test-rendezvous-${suffix}`;
const STACK_VOLUMES = [`ctvs-test-central-${suffix}`, `ctvs-test-rendezvous-${suffix}`];

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never rejects (a timeout is exit 124). */
function sh(command: string, args: string[], timeoutMs = MINUTE): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = !error ? 0 : typeof error.code === "number" ? error.code : error.killed ? 124 : 127;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || (error && !stdout ? error.message : "")) });
    });
  });
}

/** `podman <args>`; healthcheck timers need systemd, which these machines do not run, so none is started. */
const podman = (args: string[], timeoutMs?: number) => sh("podman", args, timeoutMs);

function assertOk(result: Result, what: string): void {
  assert.equal(result.code, 0, `${what} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
}

/** The standalone config the container runs: OTLP on all interfaces of the container, recordings on the volume. */
const CONFIG = {
  version: 1,
  gateway_id: "container-test",
  otel: { listen: "0.0.0.0:4318" },
  sink: { type: "file", dir: "/data/recordings" },
};

before(async () => {
  const build = await sh(path.join(ROOT, "scripts/container/build_image.sh"), ["--tag", IMAGE], 25 * MINUTE);
  assertOk(build, "scripts/container/build_image.sh (the image test needs a working podman; .ci/run installs it)");
  assertOk(await podman(["tag", IMAGE, LATEST]), `podman tag ${IMAGE} ${LATEST}`);
});

after(async () => {
  await podman(["rm", "--force", "--time", "0", CONTAINER, CENTRAL, RENDEZVOUS]);
  await podman(["pod", "rm", "--force", POD]);
  await podman(["volume", "rm", "--force", VOLUME, ...STACK_VOLUMES]);
  // The image stays under LATEST; left with no name (LATEST moved on), the next build prunes it.
  await podman(["untag", IMAGE, IMAGE]);
});

test("image: --help and --version run as the non-root ctvs user, with the entrypoint, volume and HEALTHCHECK", async () => {
  const help = await podman(["run", "--rm", "--health-cmd", "none", IMAGE, "--help"]);
  assertOk(help, "podman run IMAGE --help");
  assert.match(help.stdout, /^Usage: ctvs \[options\]/);
  assert.match(help.stdout, /healthcheck/);
  const version = await podman(["run", "--rm", "--health-cmd", "none", IMAGE, "--version"]);
  assert.equal(version.stdout.trim(), VERSION);
  const id = await podman(["run", "--rm", "--health-cmd", "none", "--entrypoint", "id", IMAGE, "-u"]);
  assert.equal(id.stdout.trim(), "10001");

  const inspect = await podman(["image", "inspect", IMAGE]);
  assertOk(inspect, "podman image inspect");
  const [image] = JSON.parse(inspect.stdout);
  assert.equal(image.Config.User, "ctvs");
  assert.deepEqual(image.Config.Entrypoint, ["ctvs"]);
  assert.deepEqual(image.Config.Cmd, ["--config-env", "COLLECTIVUS_CONFIG_JSON"]);
  assert.ok("/data" in image.Config.Volumes, JSON.stringify(image.Config.Volumes));
  assert.deepEqual(image.Healthcheck?.Test, ["CMD", "ctvs", "healthcheck"]);
  assert.ok(image.Config.Env.includes("COLLECTIVUS_DISABLE_UPDATE_CHECK=1"));
});

test("image: a standalone collector takes OTLP on a published port, writes to the volume, and answers query and export", async () => {
  assertOk(await podman(["volume", "create", VOLUME]), "podman volume create");
  const run = await podman([
    "run",
    "--detach",
    "--name",
    CONTAINER,
    "--health-interval",
    "disable",
    "--publish",
    "127.0.0.1::4318",
    "--volume",
    `${VOLUME}:/data`,
    "--env",
    `COLLECTIVUS_CONFIG_JSON=${JSON.stringify(CONFIG)}`,
    IMAGE,
  ]);
  assertOk(run, "podman run --detach");
  const logs = await waitForLogs(
    /^OTLP listener bound on 0\.0\.0\.0:4318, writing to \/data\/recordings\/container-test\//m,
  );
  const port = await podman(["port", CONTAINER, "4318/tcp"]);
  assertOk(port, "podman port");
  const address = port.stdout.trim().split("\n")[0];
  assert.match(address, /^127\.0\.0\.1:\d+$/, logs);

  // A real OTLP/protobuf exporter sends to the published port.
  const { exporter, results } = recording<OTLPLogExporter, unknown>(
    new OTLPLogExporter({ url: `http://${address}/v1/logs` }),
  );
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ "service.name": "container-test-service" }),
    processors: [new SimpleLogRecordProcessor({ exporter: exporter as never })],
  });
  const logger = provider.getLogger("image-test");
  for (const body of ["first from the host", "second from the host", "third from the host"]) {
    logger.emit({ body, severityNumber: SeverityNumber.INFO, severityText: "INFO", attributes: { n: body.length } });
  }
  await provider.forceFlush();
  await provider.shutdown();
  assert.deepEqual(results.map((r) => r.code), [0, 0, 0], JSON.stringify(results));

  // The rows are on the volume, owned by the image's user.
  const mount = (await podman(["volume", "inspect", VOLUME, "--format", "{{.Mountpoint}}"])).stdout.trim();
  const day = `${new Date().toISOString().slice(0, 10)}.jsonl`;
  const file = path.join(mount, "recordings", "container-test", "logs", day);
  const rows = (await fs.readFile(file, "utf8")).trim().split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(rows.map((r) => [r.serviceName, r.body, r.severityText]), [
    ["container-test-service", "first from the host", "INFO"],
    ["container-test-service", "second from the host", "INFO"],
    ["container-test-service", "third from the host", "INFO"],
  ]);
  assert.equal((await fs.stat(file)).uid, 10001);

  // ctvs query inside the container: the config comes from COLLECTIVUS_CONFIG_JSON without a flag.
  const query = await podman([
    "exec",
    CONTAINER,
    "ctvs",
    "query",
    "sql",
    "select body, serviceName from logs order by timestamp",
    "--format",
    "jsonl",
  ], 2 * MINUTE);
  assertOk(query, "ctvs query sql in the container");
  assert.deepEqual(query.stdout.trim().split("\n").map((line) => JSON.parse(line).body), [
    "first from the host",
    "second from the host",
    "third from the host",
  ]);
  const count = await podman(["exec", CONTAINER, "ctvs", "query", "logs", "count", "--format", "json"], 2 * MINUTE);
  assertOk(count, "ctvs query logs count in the container");
  assert.deepEqual(JSON.parse(count.stdout), [{ count: 3 }]);

  // Parquet export with DuckDB inside the container, onto the volume.
  const exported = await podman([
    "exec",
    CONTAINER,
    "ctvs",
    "export",
    "--config-env",
    "COLLECTIVUS_CONFIG_JSON",
    "--out",
    "/data/parquet",
  ], 2 * MINUTE);
  assertOk(exported, "ctvs export in the container");
  assert.match(
    exported.stdout,
    /^wrote \/data\/parquet\/container-test\/logs\/date=\d{4}-\d{2}-\d{2}\/data\.parquet \(3 rows, /m,
  );
  const parquet = await fs.readdir(path.join(mount, "parquet", "container-test", "logs"));
  const bytes = await fs.readFile(path.join(mount, "parquet", "container-test", "logs", parquet[0], "data.parquet"));
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), "PAR1");

  // The HEALTHCHECK of the image (the OTLP listener's banner for the standalone role).
  const health = await podman(["healthcheck", "run", CONTAINER]);
  assert.equal(health.code, 0, `podman healthcheck run: ${health.stdout}${health.stderr}`);

  // podman stop sends SIGTERM: ctvs drains, flushes, and exits 0.
  assertOk(await podman(["stop", "--time", "20", CONTAINER], 2 * MINUTE), "podman stop");
  const state = await podman(["inspect", CONTAINER, "--format", "{{.State.ExitCode}}"]);
  assert.equal(state.stdout.trim(), "0");
  const final = await podman(["logs", CONTAINER]);
  assert.match(final.stdout, /^Received SIGTERM, shutting down\.\.\.$/m);
  assert.match(final.stdout, /^Shutdown complete\.$/m);
});

/** Polls a container's output until `pattern` appears; fails with the output when it exits or 60 s pass. */
async function waitForLogs(pattern: RegExp, container = CONTAINER): Promise<string> {
  const deadline = Date.now() + MINUTE;
  while (true) {
    const logs = await podman(["logs", container]);
    const text = `${logs.stdout}${logs.stderr}`;
    if (pattern.test(text)) return text;
    const running = await podman(["inspect", container, "--format", "{{.State.Running}}"]);
    if (running.stdout.trim() === "false" || Date.now() > deadline) {
      assert.fail(`the container never printed ${pattern}:\n${text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** docker-compose.yml as data (python3's YAML parser). */
// deno-lint-ignore no-explicit-any
function composeFile(): Promise<Record<string, any>> {
  const script = "import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))";
  return sh("python3", ["-c", script, path.join(ROOT, "docker-compose.yml")]).then((result) => {
    assertOk(result, "python3 yaml (python3-yaml)");
    return JSON.parse(result.stdout);
  });
}

/**
 * Compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`, `$$`.
 * A required variable that is missing throws with its message, as `docker compose` refuses to start.
 */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g, (whole, name, colon, op, arg) => {
    if (whole === "$$") return "$";
    const value = env[name];
    const unset = value === undefined || (colon === ":" && value === "");
    if (!unset) return value;
    if (op === "-") return arg;
    if (op === "?") throw new Error(`${name}: ${arg}`);
    return "";
  });
}

// deno-lint-ignore no-explicit-any
function interpolateAll(value: any, env: Record<string, string>): any {
  if (typeof value === "string") return interpolate(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolateAll(v, env));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env)]));
  }
  return value;
}

test("docker-compose.yml: Central (role server) and rendezvous on the image, every variable in .env.example", async () => {
  const raw = await composeFile();
  const env = parseEnvFile(await fs.readFile(path.join(ROOT, ".env.example"), "utf8"));
  const text = await fs.readFile(path.join(ROOT, "docker-compose.yml"), "utf8");
  const used = [...text.replace(/^\s*#.*$/gm, "").matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(used)].filter((name) => !(name in env)), [], "variables .env.example lacks");
  assert.throws(() => interpolateAll(raw, {}), /COLLECTIVUS_PUBLIC_URL: set COLLECTIVUS_PUBLIC_URL in \.env/);
  const compose = interpolateAll(raw, env);

  const { central, rendezvous } = compose.services;
  assert.deepEqual(Object.keys(compose.services).sort(), ["central", "rendezvous"]);
  for (const service of [central, rendezvous]) {
    assert.equal(service.build, ".", "built from this repository's Dockerfile");
    assert.equal(service.image, env.COLLECTIVUS_IMAGE);
    assert.equal(service.restart, "unless-stopped");
  }
  assert.deepEqual(central.volumes, ["central-data:/data"]);
  assert.deepEqual(rendezvous.volumes, ["rendezvous-data:/data"]);
  assert.deepEqual(Object.keys(compose.volumes).sort(), ["central-data", "rendezvous-data"]);

  // Central: its config is a valid role "server" config, its listener the published port, its data on the volume.
  const config = JSON.parse(central.environment.COLLECTIVUS_CONFIG_JSON);
  assert.equal(config.role, "server");
  assert.deepEqual(central.ports, [`${env.CENTRAL_PORT}:8788`]);
  assert.equal(config.server.control_plane_listen, "0.0.0.0:8788");
  assert.equal(config.server.public_url, env.COLLECTIVUS_PUBLIC_URL);
  for (const dir of [config.server.data_dir, config.server.sink_dir]) assert.match(dir, /^\/data\/[a-z-]+$/);
  for (const name of ["COLLECTIVUS_JWT_SECRET", "COLLECTIVUS_ADMIN_TOKEN", "COLLECTIVUS_RENDEZVOUS_URL"]) {
    assert.equal(central.environment[name], env[name], name);
  }
  const envArgs = Object.entries(central.environment as Record<string, string>)
    .flatMap(([name, value]) => ["--env", `${name}=${value}`]);
  const printed = await podman([
    "run",
    "--rm",
    "--health-cmd",
    "none",
    ...envArgs,
    IMAGE,
    "--print-config",
    "--strict",
  ]);
  assertOk(printed, "the image validating Central's config (ctvs --print-config --strict)");
  assert.deepEqual(JSON.parse(printed.stdout), config);

  // Rendezvous: `ctvs rendezvous` on the published port, its health check asking that port.
  assert.deepEqual(rendezvous.command, ["rendezvous", "--listen", "0.0.0.0:8789", "--data-dir", "/data/rendezvous"]);
  assert.deepEqual(rendezvous.ports, [`${env.RENDEZVOUS_PORT}:8789`]);
  assert.deepEqual(rendezvous.healthcheck.test, [
    "CMD",
    "ctvs",
    "healthcheck",
    "--url",
    "http://127.0.0.1:8789/health",
  ]);
  assert.equal(
    rendezvous.environment.COLLECTIVUS_RENDEZVOUS_REGISTRATION_TOKEN,
    central.environment.COLLECTIVUS_RENDEZVOUS_REGISTRATION_TOKEN,
  );
});

test("docker-compose.yml's Central and rendezvous run in the image: health, an invite registered and resolved", async () => {
  const raw = await composeFile();
  const env = parseEnvFile(await fs.readFile(path.join(ROOT, ".env.example"), "utf8"));
  // One pod, as one host: Central reaches the rendezvous service on the pod's loopback; both ports are published.
  assertOk(await podman(["pod", "create", "--name", POD, "-p", "127.0.0.1::8788", "-p", "127.0.0.1::8789"]), "pod");
  for (const volume of STACK_VOLUMES) assertOk(await podman(["volume", "create", volume]), "podman volume create");
  const rendezvousService = interpolateAll(raw, env).services.rendezvous;
  const run = await podman([
    "run",
    "--detach",
    "--pod",
    POD,
    "--name",
    RENDEZVOUS,
    "--health-cmd",
    rendezvousService.healthcheck.test.slice(1).join(" "),
    "--health-interval",
    "disable",
    "--volume",
    `${STACK_VOLUMES[1]}:/data`,
    ...Object.entries(rendezvousService.environment as Record<string, string>).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
    IMAGE,
    ...rendezvousService.command,
  ]);
  assertOk(run, "podman run rendezvous");
  const centralPort = (await podman(["port", RENDEZVOUS, "8788/tcp"])).stdout.trim().split(":").at(-1);
  const rendezvousPort = (await podman(["port", RENDEZVOUS, "8789/tcp"])).stdout.trim().split(":").at(-1);
  const publicUrl = `http://127.0.0.1:${centralPort}`;
  const central = interpolateAll(raw, {
    ...env,
    COLLECTIVUS_PUBLIC_URL: publicUrl,
    COLLECTIVUS_RENDEZVOUS_URL: "http://127.0.0.1:8789",
  }).services.central;
  assertOk(
    await podman([
      "run",
      "--detach",
      "--pod",
      POD,
      "--name",
      CENTRAL,
      "--health-interval",
      "disable",
      "--volume",
      `${STACK_VOLUMES[0]}:/data`,
      ...Object.entries(central.environment as Record<string, string>).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
      IMAGE,
    ]),
    "podman run central",
  );
  await waitForLogs(/listener bound on 0\.0\.0\.0:8789/i, RENDEZVOUS);
  await waitForLogs(/Control-plane listener bound on 0\.0\.0\.0:8788/, CENTRAL);

  // Both health checks: the image's (Central's /health, from its config) and the compose file's for rendezvous.
  for (const container of [CENTRAL, RENDEZVOUS]) {
    const health = await podman(["healthcheck", "run", container]);
    assert.equal(health.code, 0, `healthcheck of ${container}: ${health.stdout}${health.stderr}`);
  }
  for (const port of [centralPort, rendezvousPort]) {
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(response.status, 200);
    assert.equal((await response.json()).status, "ok");
  }

  // An invite made through Central's admin API is registered at the rendezvous service, which resolves its code
  // to Central's public URL.
  const invite = await fetch(`${publicUrl}/v1/admin/invites`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.COLLECTIVUS_ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ gatewayPrefix: "container-gw" }),
  });
  const created = await invite.json();
  assert.equal(invite.status, 200, JSON.stringify(created));
  const resolved = await fetch(`http://127.0.0.1:${rendezvousPort}/v1/rendezvous/resolve`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ join_code: created.joinCode }),
  });
  const answer = await resolved.json();
  assert.equal(resolved.status, 200, JSON.stringify(answer));
  assert.equal(answer.connect_url, publicUrl);
  assert.equal(answer.gateway_id, "container-gw");

  // SIGTERM stops both cleanly; their state is on the volumes.
  for (const container of [CENTRAL, RENDEZVOUS]) {
    assertOk(await podman(["stop", "--time", "20", container], 2 * MINUTE), `podman stop ${container}`);
    assert.equal((await podman(["inspect", container, "--format", "{{.State.ExitCode}}"])).stdout.trim(), "0");
  }
  const rendezvousMount = (await podman(["volume", "inspect", STACK_VOLUMES[1], "--format", "{{.Mountpoint}}"]))
    .stdout.trim();
  const store = await fs.stat(path.join(rendezvousMount, "rendezvous", "invites.json"));
  assert.equal(store.mode & 0o777, 0o600);
  const centralMount = (await podman(["volume", "inspect", STACK_VOLUMES[0], "--format", "{{.Mountpoint}}"]))
    .stdout.trim();
  assert.ok((await fs.readdir(path.join(centralMount, "server"))).length > 0, "Central keeps its state on /data");
  // Neither volume holds the code itself (the stores keep keyed hashes).
  for (const mount of [rendezvousMount, centralMount]) {
    const grep = await sh("grep", ["-rli", created.joinCode, mount]);
    assert.equal(grep.code, 1, `the join code is in ${grep.stdout}`);
  }

  // Started again on its volume, the rendezvous service still resolves the invite.
  assertOk(await podman(["start", RENDEZVOUS]), "podman start rendezvous");
  await waitForLogs(/listener bound on 0\.0\.0\.0:8789[\s\S]*listener bound on 0\.0\.0\.0:8789/i, RENDEZVOUS);
  const port = (await podman(["port", RENDEZVOUS, "8789/tcp"])).stdout.trim().split(":").at(-1);
  const again = await fetch(`http://127.0.0.1:${port}/v1/rendezvous/resolve`, {
    method: "POST",
    body: JSON.stringify({ join_code: created.joinCode }),
  });
  assert.equal(again.status, 200);
  assert.equal((await again.json()).connect_url, publicUrl);
  assertOk(await podman(["stop", "--time", "20", RENDEZVOUS], 2 * MINUTE), "podman stop rendezvous");
});
