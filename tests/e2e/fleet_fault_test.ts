/**
 * The fault run: one Central server and three gateways as real processes on loopback, each gateway fed by the real
 * OpenTelemetry exporters and the Anthropic SDK (through the fake upstream). While they run, Central is SIGKILLed and
 * started again 20 s later, one gateway is SIGKILLed and started again (from its setup URL, whose token is spent
 * and whose Central is down), and Central's disk-rate throttle is on. Afterwards every item a gateway acknowledged is
 * in Central's files, every gateway row exactly once, and the outboxes are empty.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { startFakeUpstream } from "../fixtures/fake_upstream.ts";
import { type Child, tempDir } from "../helpers/child.ts";
import { until } from "../helpers/until.ts";
import {
  centralRows,
  type GatewaySetup,
  killLeftovers,
  outboxFiles,
  setupCentral,
  setupGateway,
  startCentral,
  startGateway,
  stopCleanly,
} from "./fleet.ts";
import { type FedSignal, Feeder, rowKey } from "./fleet_feeder.ts";

const SIGNALS: FedSignal[] = ["logs", "traces", "metrics", "proxy"];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("fault run: Central killed for 20 s, a gateway killed, disk-rate throttled: every acknowledged row once", async () => {
  const temp = await tempDir("ctvs-fleet-fault-");
  const upstream = await startFakeUpstream();
  const children: Child[] = [];
  const feeders: Feeder[] = [];
  try {
    // A throttle well under the backlog Central finds when it comes back: it has to answer 429s to get through it.
    const central = await setupCentral(temp.dir, { max_bytes_per_second: 400_000, retry_after_seconds: 1 });
    let centralProcess = await startCentral(central);
    children.push(centralProcess);
    const gateways: GatewaySetup[] = [];
    for (const id of ["gw-1", "gw-2", "gw-3"]) gateways.push(await setupGateway(central, id, upstream.url));
    const processes = await Promise.all(gateways.map(startGateway));
    children.push(...processes);
    for (const [i, process] of processes.entries()) {
      assert.ok(process.stdout.includes(`Identity bootstrapped for ${gateways[i].id}`), process.transcript());
    }
    for (const gateway of gateways) feeders.push(new Feeder(gateway.id, gateway.otelUrl, gateway.proxyUrl));
    for (const feeder of feeders) feeder.start();

    await sleep(5000);
    centralProcess.kill("SIGKILL");
    await centralProcess.exited;
    const centralDownAt = Date.now();

    // Gateway 2 dies too, and comes back while Central is still down.
    await sleep(5000);
    processes[1].kill("SIGKILL");
    await processes[1].exited;
    const gw2KilledAt = Date.now();
    const restarted = await startGateway(gateways[1]);
    children.push(restarted);
    assert.ok(restarted.stdout.includes("Identity loaded for gw-2"), restarted.transcript());
    assert.ok(
      restarted.stderr.some((l) =>
        /^warning: failed to fetch .*token=REDACTED: .*starting from the config Central vended last/.test(l)
      ),
      restarted.transcript(),
    );

    await sleep(Math.max(0, 20_000 - (Date.now() - centralDownAt)));
    centralProcess = await startCentral(central);
    children.push(centralProcess);
    await sleep(10_000);
    await Promise.all(feeders.map((f) => f.stop()));

    // Everything acknowledged reaches Central; the outboxes empty.
    const missing = async () => {
      const found = await keysInCentral(central.sinkDir);
      let count = 0;
      for (const feeder of feeders) {
        for (const signal of SIGNALS) {
          for (const key of feeder.acked[signal].keys()) if (!found[signal].has(key)) count++;
        }
      }
      return count;
    };
    await until("every acknowledged row is in Central", async () => (await missing()) === 0, {
      timeoutMs: 90_000,
      intervalMs: 200,
    });
    await until("the outboxes are empty", async () => {
      for (const gateway of gateways) if ((await outboxFiles(gateway.outboxDir)).length > 0) return false;
      return true;
    }, { timeoutMs: 30_000, intervalMs: 200 });

    // Each row a gateway wrote is in Central once; an item twice only where a client sent it again because the
    // gateway died before it could answer (gw-2, in the seconds after its kill).
    const seen = new Set<string>();
    for (const signal of SIGNALS) {
      for (const row of await centralRows(central.sinkDir, signal)) {
        const id = (row._ingest as { row_id?: string }).row_id!;
        assert.ok(id, `a row without a row id: ${JSON.stringify(row).slice(0, 200)}`);
        assert.equal(seen.has(`${signal}/${id}`), false, `row ${signal}/${id} is in Central twice`);
        seen.add(`${signal}/${id}`);
      }
    }
    const found = await keysInCentral(central.sinkDir);
    for (const [i, feeder] of feeders.entries()) {
      for (const signal of SIGNALS) {
        assert.ok(feeder.acked[signal].size > 0, `${gateways[i].id} had ${signal} acknowledged`);
        for (const [key, at] of feeder.acked[signal]) {
          const count = found[signal].get(key) ?? 0;
          const resent = i === 1 && at >= gw2KilledAt && at <= gw2KilledAt + 20_000;
          if (!resent) assert.equal(count, 1, `${signal} ${key} is in Central ${count} times`);
          else assert.ok(count >= 1 && count <= 2, `${signal} ${key} is in Central ${count} times`);
        }
      }
    }
    assert.ok(
      centralProcess.stderr.some((l) => l.startsWith("[ingest] backpressure kind=byte_rate")),
      `the disk-rate throttle never refused a batch:\n${centralProcess.transcript()}`,
    );

    await stopCleanly([restarted, processes[0], processes[2], centralProcess]);
    for (const gateway of gateways) assert.deepEqual(await outboxFiles(gateway.outboxDir), []);
  } finally {
    await Promise.allSettled(feeders.map((f) => f.stop()));
    await killLeftovers(children);
    await upstream.close();
    await temp.remove();
  }
});

/** How often each item key is in Central's files, per signal. */
async function keysInCentral(sinkDir: string): Promise<Record<FedSignal, Map<string, number>>> {
  const result = {} as Record<FedSignal, Map<string, number>>;
  for (const signal of SIGNALS) {
    const counts = new Map<string, number>();
    for (const row of await centralRows(sinkDir, signal)) {
      const key = rowKey(signal, row);
      if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    result[signal] = counts;
  }
  return result;
}
