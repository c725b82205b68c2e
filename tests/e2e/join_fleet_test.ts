/**
 * Adding a host to a fleet with one code, end to end with real processes: a Central server (`ctvs --config`, role
 * "server", admin API and a rendezvous service configured) and `ctvs rendezvous`; the operator registers a config for
 * the invite's prefix (`ctvs config set`) and makes a code (`ctvs invite create`); a fresh HOME runs
 * `ctvs join <code> --rendezvous <url> --expect-central <url> --no`, then bare `ctvs` (the config join wrote); the
 * real OpenTelemetry exporter sends logs to the new gateway, and they land in Central's sink under the gateway id the
 * code minted. A second host with the same two-use code becomes `<prefix>-2`; a third is refused.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, test } from "node:test";
import { SeverityNumber } from "@opentelemetry/api";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { boundAddress, type Child, ctvs, freePort, startCtvs, tempDir } from "../helpers/child.ts";
import { recording } from "./otlp_ctvs.ts";

const SECRET = "e2e-jwt-secret-e2e-jwt-secret-e2e-jwt!";
const ADMIN_TOKEN = "e2e-admin-token-e2e-admin-token-e2e-admin";
const REGISTRATION_TOKEN = "e2e-registration-token-e2e-registration";

const children: Child[] = [];
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const child of children) {
    if (child.process.exitCode === null && child.process.signalCode === null) child.kill("SIGTERM");
    await child.exited;
  }
  for (const cleanup of cleanups) await cleanup();
});

async function home(prefix: string): Promise<string> {
  const temp = await tempDir(prefix);
  cleanups.push(temp.remove);
  return temp.dir;
}

test("Central + rendezvous + ctvs join in a fresh HOME: OTLP sent to the new gateway lands in Central's sink", async () => {
  // The rendezvous service, on a port of its own choosing.
  const rendezvousHome = await home("ctvs-e2e-rv-");
  const rendezvous = startCtvs(["rendezvous", "--listen", "127.0.0.1:0"], {
    env: { HOME: rendezvousHome, COLLECTIVUS_RENDEZVOUS_REGISTRATION_TOKEN: REGISTRATION_TOKEN },
  });
  children.push(rendezvous);
  const rvLine = await rendezvous.waitFor(/^Rendezvous listener bound on /, 60_000);
  const rendezvousUrl = `http://${boundAddress(rvLine)}`;

  // Central: its public URL must be known before it starts, so its port is picked here.
  const serverHome = await home("ctvs-e2e-central-");
  const centralUrl = `http://127.0.0.1:${await freePort()}`;
  const serverConfig = path.join(serverHome, "server.json");
  const sinkDir = path.join(serverHome, "ingested");
  await fs.writeFile(
    serverConfig,
    JSON.stringify({
      version: 1,
      role: "server",
      server: {
        control_plane_listen: centralUrl.slice("http://".length),
        public_url: centralUrl,
        identity_issuer: {
          secret_env: "E2E_JWT_SECRET",
          bootstrap_store_path: path.join(serverHome, "bootstrap.json"),
        },
        data_dir: path.join(serverHome, "data"),
        sink_dir: sinkDir,
        admin: { token_env: "E2E_ADMIN_TOKEN" },
        rendezvous: { url: rendezvousUrl, registration_token_env: "E2E_REGISTRATION_TOKEN" },
      },
    }),
  );
  const serverEnv = {
    HOME: serverHome,
    E2E_JWT_SECRET: SECRET,
    E2E_ADMIN_TOKEN: ADMIN_TOKEN,
    E2E_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
  };
  const central = startCtvs(["--config", serverConfig], { env: serverEnv });
  children.push(central);
  await central.waitFor(/^Control-plane listener bound on /, 60_000);

  // The operator: a config for every gateway of the invite (OTLP on a port this test picked), then the code.
  const otlpPort = await freePort();
  const template = path.join(serverHome, "team.json");
  await fs.writeFile(
    template,
    JSON.stringify({
      version: 1,
      role: "gateway",
      central_server: { url: centralUrl, identity: {}, poll_interval_seconds: 5 },
      otel: { listen: `127.0.0.1:${otlpPort}` },
    }),
  );
  const set = await ctvs(["config", "set", "e2e-team", "--file", template, "--server-config", serverConfig], {
    env: serverEnv,
  });
  assert.equal(set.code, 0, set.stderr);
  const operatorHome = await home("ctvs-e2e-operator-");
  const created = await ctvs([
    "invite",
    "create",
    "--admin-url",
    centralUrl,
    "--gateway-prefix",
    "e2e-team",
    "--max-uses",
    "2",
    "--display-name",
    "E2E team",
    "--json",
  ], { env: { HOME: operatorHome, COLLECTIVUS_ADMIN_TOKEN: ADMIN_TOKEN } });
  assert.equal(created.code, 0, created.stderr);
  const invite = JSON.parse(created.stdout);
  assert.equal(invite.command, `npx collectivus join ${invite.joinCode} --rendezvous ${rendezvousUrl}`);

  // A fresh host joins with the shared command (and pins Central).
  const gatewayHome = await home("ctvs-e2e-gateway-");
  const joined = await ctvs(
    ["join", invite.joinCode, "--rendezvous", rendezvousUrl, "--expect-central", centralUrl, "--no"],
    { env: { HOME: gatewayHome } },
  );
  assert.equal(joined.code, 0, `${joined.stdout}\n${joined.stderr}`);
  const configPath = path.join(gatewayHome, ".hyp", "collectivus.json");
  assert.deepEqual(joined.stdout.split("\n"), [
    `✓ Resolved the join code at ${rendezvousUrl}: gateway e2e-team ("E2E team"), Central server ${centralUrl}`,
    `✓ Central server is the one expected (${centralUrl})`,
    `✓ Join code redeemed at ${centralUrl}: this host is gateway e2e-team-1`,
    joined.stdout.split("\n")[3],
    "✓ Gateway config fetched from the Central server",
    `✓ Gateway config written to ${configPath}`,
    `Daemon not installed. Run the gateway with: ctvs --config ${configPath}   (or later: ctvs install --config ${configPath})`,
  ]);
  assert.match(joined.stdout.split("\n")[3], /^✓ Identity bootstrapped for e2e-team-1 \(JWT valid until /);
  assert.equal((await fs.stat(configPath)).mode & 0o777, 0o600);
  const written = JSON.parse(await fs.readFile(configPath, "utf8"));
  assert.deepEqual(written.central_server, { url: centralUrl, identity: {}, poll_interval_seconds: 5 });
  assert.deepEqual(written.otel, { listen: `127.0.0.1:${otlpPort}` });

  // The new gateway: bare `ctvs` in that HOME runs the config join wrote.
  const gateway = startCtvs([], { env: { HOME: gatewayHome } });
  children.push(gateway);
  await gateway.waitFor(/^Identity loaded for e2e-team-1$/, 60_000);
  await gateway.waitFor(new RegExp(`^OTLP listener bound on 127\\.0\\.0\\.1:${otlpPort}, spooling to `), 60_000);

  const { exporter, results } = recording<OTLPLogExporter, unknown>(
    new OTLPLogExporter({ url: `http://127.0.0.1:${otlpPort}/v1/logs` }),
  );
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ "service.name": "joined-service" }),
    processors: [new SimpleLogRecordProcessor({ exporter: exporter as never })],
  });
  const logger = provider.getLogger("join-e2e");
  for (const body of ["first from the joined host", "second from the joined host"]) {
    logger.emit({ body, severityNumber: SeverityNumber.INFO, severityText: "INFO" });
  }
  await provider.forceFlush();
  await provider.shutdown();
  assert.deepEqual(results.map((r) => r.code), [0, 0], JSON.stringify(results));

  // The outbox ships within about 5 s; Central writes the rows under the minted gateway id.
  const day = `${new Date().toISOString().slice(0, 10)}.jsonl`;
  const file = path.join(sinkDir, "e2e-team-1", "logs", day);
  const rows = await waitForRows(file, 2, 45_000, gateway);
  assert.deepEqual(rows.map((r) => [r.serviceName, r.body, (r._ingest as { gateway_id: string }).gateway_id]), [
    ["joined-service", "first from the joined host", "e2e-team-1"],
    ["joined-service", "second from the joined host", "e2e-team-1"],
  ]);

  // A second host with the same code becomes e2e-team-2; a third is told the code is used up.
  const second = await ctvs(["join", invite.joinCode, "--rendezvous", rendezvousUrl, "--no"], {
    env: { HOME: await home("ctvs-e2e-gateway2-") },
  });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /^✓ Join code redeemed at .*: this host is gateway e2e-team-2$/m);
  const third = await ctvs(["join", invite.joinCode, "--rendezvous", rendezvousUrl, "--no"], {
    env: { HOME: await home("ctvs-e2e-gateway3-") },
  });
  assert.equal(third.code, 1);
  assert.match(third.stderr, /^error: the join code is used up/m);

  for (const child of [gateway, central, rendezvous]) {
    child.kill("SIGTERM");
    assert.equal((await child.exited).code, 0, child.transcript());
  }
});

/** Polls `file` until it has `count` rows; fails with the gateway's output after `timeoutMs`. */
async function waitForRows(
  file: string,
  count: number,
  timeoutMs: number,
  gateway: Child,
): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const text = await fs.readFile(file, "utf8").catch(() => "");
    const rows = text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
    if (rows.length >= count) return rows;
    if (Date.now() > deadline) assert.fail(`${file} has ${rows.length} of ${count} rows:\n${gateway.transcript()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
