/**
 * Two Central servers sharing one data directory behind one address (a small round-robin relay), with a gateway
 * behind it. The relay loses the answer of every second ingest request (the replica wrote the batch, the gateway
 * hears a 502 and sends it again, to the other replica): every row still lands exactly once, bootstrap tokens and
 * configs are shared, and both replicas take ingest traffic.
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
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

/** A relay that sends each request to the next of `targets`, and drops the answer of every second ingest. */
async function startRelay(targets: readonly string[]) {
  const stats = { byTarget: [0, 0], ingests: 0, dropped: 0, duplicates: 0 };
  let next = 0;
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = next++ % targets.length;
    const ingest = req.url!.startsWith("/v1/ingest/");
    if (ingest) stats.byTarget[target]++;
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !["host", "connection", "content-length"].includes(k)),
    ) as Record<string, string>;
    try {
      const answer = await fetch(`${targets[target]}${req.url}`, {
        method: req.method,
        headers,
        body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
      });
      const body = Buffer.from(await answer.arrayBuffer());
      if (ingest && answer.status === 202) {
        stats.ingests++;
        if (JSON.parse(body.toString()).duplicates > 0) stats.duplicates++;
        if (stats.ingests % 2 === 0) {
          stats.dropped++;
          res.writeHead(502, { "content-type": "application/json" }).end('{"error":"relay lost the answer"}');
          return;
        }
      }
      res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(body);
    } catch (error) {
      res.writeHead(502).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

test("two Central replicas on one data directory behind a round-robin relay: every row once", async () => {
  const temp = await tempDir("ctvs-fleet-replicas-");
  const upstream = await startFakeUpstream();
  const children: Child[] = [];
  try {
    const targets: string[] = [];
    const relay = await startRelay(targets);
    try {
      // Both replicas tell gateways the relay's address, as replicas behind a load balancer name its address.
      const a = await setupCentral(temp.dir, {}, relay.url);
      const b = await setupCentral(temp.dir, {}, relay.url);
      targets.push(a.url, b.url);
      children.push(await startCentral(a), await startCentral(b));
      // Configs and tokens written once serve both replicas; the gateway knows only the relay.
      const gateway = await setupGateway(a, "gw-r", upstream.url, { centralUrl: relay.url });
      const process = await startGateway(gateway);
      children.push(process);

      const sent: string[] = [];
      for (let request = 0; request < 100; request++) {
        const logRecords = Array.from({ length: 40 }, (_, i) => ({ body: { stringValue: `q${request}-${i}` } }));
        const response = await fetch(`${gateway.otelUrl}/v1/logs`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords }] }] }),
        });
        assert.equal(response.status, 200);
        await response.body?.cancel();
        for (let i = 0; i < 40; i++) sent.push(`q${request}-${i}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await until("the outbox has drained", async () => (await outboxFiles(gateway.outboxDir)).length === 0, {
        timeoutMs: 60_000,
        intervalMs: 200,
      });

      const counts = new Map<string, number>();
      for (const row of await centralRows(a.sinkDir, "logs")) {
        counts.set(row.body as string, (counts.get(row.body as string) ?? 0) + 1);
      }
      for (const body of sent) {
        assert.equal(counts.get(body), 1, `${body} is in Central ${counts.get(body) ?? 0} times`);
      }
      assert.equal(counts.size, sent.length);
      assert.ok(relay.stats.dropped > 0, "the relay never lost an answer");
      assert.ok(relay.stats.duplicates > 0, "no batch came back to a replica that had it");
      assert.ok(relay.stats.byTarget.every((n) => n > 0), `ingest by replica: ${relay.stats.byTarget}`);

      await stopCleanly(children);
    } finally {
      await relay.close();
    }
  } finally {
    await killLeftovers(children);
    await upstream.close();
    await temp.remove();
  }
});
