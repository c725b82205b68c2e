import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { IdentityClient } from "../../../server/gateway/identity_client.ts";
import { Shipper } from "../../../server/gateway/shipper.ts";
import { Outbox, type OutboxSignal } from "../../../storage/outbox/outbox.ts";
import { type TestCentral, testCentral } from "../central/_central.ts";
import { centralFetch } from "./_gateway.ts";
import { until } from "../../helpers/until.ts";

const today = () => new Date().toISOString().slice(0, 10);

async function setup(options: Parameters<typeof testCentral>[1] = {}) {
  const central = await testCentral({}, { now: undefined, ...options });
  await central.register("gw-1");
  const { token } = await central.context.tokens!.issue("gw-1");
  const calls = centralFetch(central);
  const logs: string[] = [];
  const identity = new IdentityClient({
    centralUrl: "http://central.test:8788",
    persistedPath: path.join(central.dir, "gw", "identity.json"),
    bootstrapToken: token,
    fetch: calls.fetch,
  });
  await identity.acquire();
  const outbox = await Outbox.open(path.join(central.dir, "gw", "outbox"), { limits: { maxRows: 2 } });
  const shippers: Shipper[] = [];
  const ship = (signal: OutboxSignal = "logs", maxBackoffMs = 50) => {
    const shipper = new Shipper({
      outbox,
      signal,
      centralUrl: "http://central.test:8788",
      identity,
      log: (l) => logs.push(l),
      fetch: calls.fetch,
      maxBackoffMs,
    });
    shippers.push(shipper);
    shipper.start();
    return shipper;
  };
  return {
    central,
    calls,
    logs,
    outbox,
    identity,
    ship,
    async close() {
      await outbox.close();
      await Promise.all(shippers.map((s) => s.stop()));
      await central.close();
    },
  };
}

async function centralRows(central: TestCentral, signal = "logs") {
  const text = await readFile(path.join(central.sinkDir, "gw-1", signal, `${today()}.jsonl`), "utf8").catch(() => "");
  return text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

const readyFiles = async (outbox: Outbox, signal: string) =>
  (await readdir(path.join(outbox.dir, signal))).filter((n) => /\.(ndjson|sending|open)$/.test(n));

test("Shipper sends each batch once with its id, and deletes it when Central has it", async () => {
  const { central, calls, outbox, ship, close } = await setup();
  try {
    ship();
    for (let i = 1; i <= 5; i++) await outbox.appendLines("logs", [`{"n":${i}}`]);
    await outbox.flush();
    await until("Central has the 5 rows", async () => (await centralRows(central)).length === 5);
    await until("the logs outbox is empty", async () => (await readyFiles(outbox, "logs")).length === 0);
    const ingests = calls.requests.filter((r) => r.path === "/v1/ingest/logs");
    assert.equal(ingests.length, 3);
    for (const r of ingests) {
      assert.match(r.headers.get("x-ctvs-batch-id")!, /^\d{4}-\d\d-\d\dT[\d-]+Z-\d+-\d+-[0-9a-f]{6}$/);
      assert.equal(r.headers.get("content-type"), "application/x-ndjson");
    }
    assert.deepEqual((await centralRows(central)).map((r) => r.n).sort(), [1, 2, 3, 4, 5]);
  } finally {
    await close();
  }
});

test("Shipper: a batch made ready while it looked and found none is sent at once, not left for the next one", async () => {
  const { central, outbox, ship, close } = await setup();
  try {
    // The shipper's first look finds nothing; its answer is held until a batch has been made ready meanwhile.
    const claim = outbox.claim.bind(outbox);
    let looks = 0;
    let answer!: () => void;
    const held = new Promise<void>((resolve) => answer = resolve);
    outbox.claim = async (signal) => {
      const found = await claim(signal);
      if (looks++ === 0) await held;
      return found;
    };
    ship();
    await until("the shipper looked once", () => looks === 1);
    const ready = outbox.waitForReady("logs");
    await outbox.appendLines("logs", ['{"n":1}', '{"n":2}']);
    await ready;
    answer();
    await until("Central has both rows", async () => (await centralRows(central)).length === 2);
    assert.deepEqual(await readyFiles(outbox, "logs"), []);
  } finally {
    await close();
  }
});

test("Shipper waits for Retry-After on 429 and 503 and sends again", async () => {
  const { central, calls, outbox, ship, close } = await setup();
  try {
    let busy = 2;
    calls.intercept((request) => {
      if (!request.url.includes("/v1/ingest/") || busy-- <= 0) return undefined;
      return Response.json({ error: "ingest backpressure" }, {
        status: busy === 1 ? 429 : 503,
        headers: { "retry-after": "1" },
      });
    });
    const started = Date.now();
    ship();
    await outbox.appendLines("logs", ['{"n":1}', '{"n":2}']);
    await until("Central has the 2 rows", async () => (await centralRows(central)).length === 2);
    assert.ok(Date.now() - started >= 1900, "waited Retry-After twice");
    assert.equal(calls.requests.filter((r) => r.path === "/v1/ingest/logs").length, 3);
  } finally {
    await close();
  }
});

test("Shipper refreshes the JWT once on a 401, and backs off and retries through 5xx and network failures", async () => {
  const { central, calls, logs, outbox, ship, close } = await setup();
  try {
    const answers: (() => Response)[] = [
      () => Response.json({ error: "unauthorized", reason: "expired" }, { status: 401 }),
      () => {
        throw new TypeError("fetch failed", { cause: new Error("Connection refused") });
      },
      () => Response.json({ error: "ingest write failed: disk" }, { status: 500 }),
    ];
    calls.intercept((request) => request.url.includes("/v1/ingest/") ? answers.shift()?.() : undefined);
    ship();
    await outbox.appendLines("logs", ['{"n":1}', '{"n":2}']);
    await until("Central has the 2 rows", async () => (await centralRows(central)).length === 2);
    assert.deepEqual(calls.requests.map((r) => r.path).filter((p) => p !== "/v1/identity/bootstrap"), [
      "/v1/ingest/logs",
      "/v1/identity/refresh",
      "/v1/ingest/logs",
      "/v1/ingest/logs",
      "/v1/ingest/logs",
    ]);
    await until("the shipper says it ships again", () => logs.includes("[outbox] signal=logs: shipping again"));
    assert.ok(
      logs.some((l) =>
        /^warning: \[outbox\] signal=logs: failed to reach central server .*Connection refused; retrying$/.test(l)
      ),
    );
    assert.ok(logs.includes("warning: [outbox] signal=logs: Central answered 500 ingest write failed: disk; retrying"));
    assert.ok(logs.includes("[outbox] signal=logs: shipping again"));
  } finally {
    await close();
  }
});

test("Shipper moves a batch Central refuses for good aside, counts it, and goes on", async () => {
  const { central, calls, logs, outbox, ship, close } = await setup();
  try {
    calls.intercept((request) =>
      request.url.includes("/v1/ingest/") &&
        !calls.requests.some((r, i) => i < calls.requests.length - 1 && r.path.startsWith("/v1/ingest"))
        ? Response.json({ error: "body exceeds 16 MiB" }, { status: 413 })
        : undefined
    );
    const shipper = ship();
    await outbox.appendLines("logs", ['{"n":1}', '{"n":2}']);
    await outbox.appendLines("logs", ['{"n":3}', '{"n":4}']);
    await until(
      "Central has the 2 rows of one batch",
      async () => (await centralRows(central)).length === 2 && shipper.counts.batches === 1,
    );
    assert.equal(shipper.counts.poison, 1);
    const failed = await readdir(path.join(outbox.dir, "logs", "failed"));
    assert.equal(failed.length, 1);
    assert.equal(await readFile(path.join(outbox.dir, "logs", "failed", failed[0]), "utf8"), '{"n":1}\n{"n":2}\n');
    assert.ok(
      logs.some((l) =>
        l.startsWith("[outbox] signal=logs moved poison batch to failed: status=413 detail=413 body exceeds 16 MiB (")
      ),
    );
    assert.equal((await outbox.stats()).logs.failed, 1);
  } finally {
    await close();
  }
});

test("a revoked gateway keeps its rows in the outbox, and ships them once registered again", async () => {
  const { central, outbox, ship, close } = await setup();
  try {
    await central.context.registry.delete("gw-1");
    ship("traces", 100);
    await outbox.appendLines("traces", ['{"s":1}', '{"s":2}']);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await readyFiles(outbox, "traces")).length, 1);
    assert.equal((await centralRows(central, "traces")).length, 0);
    await central.register("gw-1");
    await until("Central has the 2 spans", async () => (await centralRows(central, "traces")).length === 2);
  } finally {
    await close();
  }
});

test("Shipper.stop() puts the batch being sent back, so the next start sends it", async () => {
  const { outbox, calls, ship, close } = await setup();
  try {
    // Central never answers; the stop aborts the request, as a real fetch does.
    calls.intercept((request) =>
      request.url.includes("/v1/ingest/")
        ? new Promise<never>((_, reject) =>
          request.signal.addEventListener("abort", () => reject(request.signal.reason))
        )
        : undefined
    );
    const shipper = ship("metrics");
    await outbox.appendLines("metrics", ['{"m":1}', '{"m":2}']);
    await until(
      "a metrics batch is being sent",
      async () => (await readyFiles(outbox, "metrics")).some((n) => n.endsWith(".sending")),
    );
    await shipper.stop();
    assert.deepEqual((await readyFiles(outbox, "metrics")).map((n) => n.split(".").pop()), ["ndjson"]);
  } finally {
    await close();
  }
});
