/**
 * The operator's path with real processes: `ctvs config set` and `ctvs config bootstrap-token issue` on the Central
 * host, the gateway started with the command the token line prints, a config change applied by the gateway's poll
 * (only the changed listener restarts; SIGHUP polls at once), and `ctvs config delete` revoking the gateway: its rows
 * wait in the outbox until it is registered again; `ctvs query` on Central reads what was shipped.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { startFakeUpstream } from "../fixtures/fake_upstream.ts";
import { type Child, ctvs, freePort, startCtvs, tempDir } from "../helpers/child.ts";
import { until } from "../helpers/until.ts";
import { centralRows, childEnv, killLeftovers, outboxFiles, setupCentral, startCentral, stopCleanly } from "./fleet.ts";

test("operator CLI, setup URL, hot reload from Central, revoke and re-register", async () => {
  const temp = await tempDir("ctvs-fleet-operator-");
  const upstream = await startFakeUpstream();
  const children: Child[] = [];
  try {
    const central = await setupCentral(temp.dir);
    const centralProcess = await startCentral(central);
    children.push(centralProcess);
    const home = path.join(temp.dir, "gw-home");
    const [otelPort, proxyPort] = [await freePort(), await freePort()];
    const base = {
      version: 1,
      role: "gateway",
      central_server: { url: central.url, identity: {}, poll_interval_seconds: 60 },
      otel: { listen: `127.0.0.1:${otelPort}` },
    };
    const file = path.join(temp.dir, "lab.json");
    await writeFile(file, JSON.stringify(base));
    const operator = (args: string[]) =>
      ctvs([...args, "--server-config", central.configPath], { env: childEnv(temp.dir) });

    const set = await operator(["config", "set", "lab", "--file", file]);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /^✓ Wrote config for lab \(etag [0-9a-f]{64}\)$/);
    const issued = await operator(["config", "bootstrap-token", "issue", "lab"]);
    assert.equal(issued.code, 0, issued.stderr);
    const command = /npx collectivus --config-endpoint='([^']+)'/.exec(issued.stderr)![1];
    assert.ok(command.startsWith(`${central.url}/v1/bootstrap-config?token=${issued.stdout.trim()}`));

    const gateway = startCtvs(["--config-endpoint", command], { env: childEnv(home) });
    children.push(gateway);
    await gateway.waitFor(/Config poll loop active \(.*every 60s\)/, 60_000);
    assert.ok(gateway.stdout.includes("Identity bootstrapped for lab"));
    assert.ok(gateway.stdout.some((l) => l.startsWith(`OTLP listener bound on 127.0.0.1:${otelPort}, spooling to `)));

    // A proxy added on Central: SIGHUP polls now; only the proxy starts, the OTLP listener keeps running.
    const withProxy = {
      ...base,
      proxy: {
        listen: `127.0.0.1:${proxyPort}`,
        upstreams: [{ name: "anthropic", base_url: upstream.url, match: { path_prefix: "/v1/messages" } }],
      },
    };
    await writeFile(file, JSON.stringify(withProxy));
    assert.equal((await operator(["config", "set", "lab", "--file", file])).code, 0);
    gateway.kill("SIGHUP");
    await gateway.waitFor(/local reload: started proxy/, 20_000);
    assert.ok(gateway.stdout.some((l) => l.startsWith(`Proxy listener bound on 127.0.0.1:${proxyPort}, spooling to `)));
    assert.equal(gateway.stdout.some((l) => l.includes("stopped otel")), false, gateway.transcript());

    const post = async (body: string) => {
      const response = await fetch(`http://127.0.0.1:${otelPort}/v1/logs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: body } }] }] }] }),
      });
      assert.equal(response.status, 200);
      await response.body?.cancel();
    };
    await post("before revoke");
    await until(
      "the first row is in Central",
      async () => (await centralRows(central.sinkDir, "logs")).length === 1,
      { timeoutMs: 20_000, intervalMs: 200 },
    );

    // Revoked: the gateway still acknowledges rows (they are on its disk) but Central refuses them.
    const deleted = await operator(["config", "delete", "lab", "--yes"]);
    assert.equal(deleted.code, 0, deleted.stderr);
    gateway.kill("SIGHUP");
    await gateway.waitFor(/reports no config registered for this gateway/, 20_000);
    await post("while revoked");
    await gateway.waitFor(/\[outbox\] signal=logs: Central answered 401 unauthorized \(no config registered/, 20_000);
    assert.equal((await centralRows(central.sinkDir, "logs")).length, 1);
    assert.ok((await outboxFiles(path.join(home, ".hyp", "collectivus", "outbox"))).length > 0);

    // Registered again: what waited is shipped.
    assert.equal((await operator(["config", "set", "lab", "--file", file])).code, 0);
    await until("the waiting row is in Central", async () => {
      return (await centralRows(central.sinkDir, "logs")).some((row) => row.body === "while revoked");
    }, { timeoutMs: 60_000, intervalMs: 200 });

    // Central's files are the standalone layout: ctvs query reads them with Central's own config.
    const query = await ctvs(
      [
        "query",
        "sql",
        "select gateway_id, body from logs order by body",
        "--config",
        central.configPath,
        "--format",
        "json",
        "--refresh",
        "always",
      ],
      { env: childEnv(temp.dir) },
    );
    assert.equal(query.code, 0, query.stderr);
    assert.deepEqual(JSON.parse(query.stdout), [
      { gateway_id: "lab", body: "before revoke" },
      { gateway_id: "lab", body: "while revoked" },
    ]);

    await stopCleanly([gateway, centralProcess]);
  } finally {
    await killLeftovers(children);
    await upstream.close();
    await temp.remove();
  }
});
