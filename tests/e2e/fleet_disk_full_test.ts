/**
 * A gateway whose outbox disk fills up (a 2 MiB tmpfs) while its Central server is away: the OTLP receiver answers
 * 503 with Retry-After once a write fails, and every row it acknowledged before reaches Central when Central is back;
 * the gateway then takes rows again. Mounting needs root: the test runs as root or through `sudo -n`, and fails
 * saying so when it can do neither.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { startFakeUpstream } from "../fixtures/fake_upstream.ts";
import { type Child, tempDir } from "../helpers/child.ts";
import { until } from "../helpers/until.ts";
import {
  centralRows,
  killLeftovers,
  outboxFiles,
  setupCentral,
  setupGateway,
  startCentral,
  startGateway,
  stopCleanly,
} from "./fleet.ts";

/** Runs a command as root: directly when we are root, else with `sudo -n`. */
function asRoot(command: string, args: string[]): Promise<void> {
  const root = process.getuid?.() === 0;
  const [file, argv] = root ? [command, args] : ["sudo", ["-n", command, ...args]];
  return new Promise((resolve, reject) => {
    execFile(file, argv, (error, _stdout, stderr) => {
      if (!error) return resolve();
      reject(
        new Error(
          `${root ? "" : "sudo -n "}${command} ${args.join(" ")} failed (${stderr.trim() || error.message}): ` +
            "the full-disk test mounts a small tmpfs and needs root or passwordless sudo",
        ),
      );
    });
  });
}

/** An OTLP/JSON logs request of `count` records with bodies `<prefix>-<i>` of about 2 KB each. */
function logsRequest(prefix: string, count: number): string {
  const logRecords = Array.from({ length: count }, (_, i) => ({
    body: { stringValue: `${prefix}-${i}` },
    attributes: [{ key: "padding", value: { stringValue: "x".repeat(2000) } }],
  }));
  return JSON.stringify({
    resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ scope: {}, logRecords }] }],
  });
}

test("a full outbox disk answers 503 and loses nothing it acknowledged", async () => {
  const temp = await tempDir("ctvs-fleet-disk-");
  const mount = path.join(temp.dir, "small-disk");
  await mkdir(mount);
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  await asRoot("mount", ["-t", "tmpfs", "-o", `size=2m,mode=0700,uid=${uid},gid=${gid}`, "tmpfs", mount]);
  const upstream = await startFakeUpstream();
  const children: Child[] = [];
  try {
    const central = await setupCentral(temp.dir, { retry_after_seconds: 1 });
    const first = await startCentral(central);
    children.push(first);
    const gateway = await setupGateway(central, "gw-disk", upstream.url, { outboxDir: path.join(mount, "outbox") });
    const gatewayProcess = await startGateway(gateway);
    children.push(gatewayProcess);

    // Central goes away: the outbox can only grow.
    first.kill("SIGTERM");
    assert.equal((await first.exited).code, 0);

    const acked: string[] = [];
    let refused: Response | undefined;
    for (let request = 0; request < 200 && !refused; request++) {
      const response = await fetch(`${gateway.otelUrl}/v1/logs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: logsRequest(`r${request}`, 50),
      });
      if (response.status === 200) {
        await response.body?.cancel();
        for (let i = 0; i < 50; i++) acked.push(`r${request}-${i}`);
      } else {
        refused = response;
      }
    }
    assert.ok(refused, "the 2 MiB disk never filled");
    assert.equal(refused.status, 503);
    assert.ok(Number(refused.headers.get("retry-after")) > 0);
    assert.match(JSON.stringify(await refused.json()), /no space left on device/);
    assert.ok(acked.length >= 300, `only ${acked.length} rows fit before the disk was full`);

    // Central is back: the outbox drains, and everything acknowledged is there once.
    const second = await startCentral(central);
    children.push(second);
    await until("the outbox has drained", async () => (await outboxFiles(gateway.outboxDir)).length === 0, {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    const bodies = (await centralRows(central.sinkDir, "logs")).map((row) => row.body as string);
    const counts = new Map<string, number>();
    for (const body of bodies) counts.set(body, (counts.get(body) ?? 0) + 1);
    for (const body of acked) assert.equal(counts.get(body), 1, `${body} is in Central ${counts.get(body) ?? 0} times`);

    // With room again, the gateway takes rows again.
    const again = await fetch(`${gateway.otelUrl}/v1/logs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: logsRequest("after", 5),
    });
    assert.equal(again.status, 200);
    await again.body?.cancel();

    await stopCleanly([gatewayProcess, second]);
  } finally {
    await killLeftovers(children);
    await upstream.close();
    await asRoot("umount", [mount]).catch(() => asRoot("umount", ["-l", mount]));
    await temp.remove();
  }
});
