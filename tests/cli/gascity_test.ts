/**
 * Gas City capture as a user runs it: a real `ctvs` process recording a supervisor double (real sockets, real SSE)
 * that serves the transcript the real Claude Code CLI wrote (tests/fixtures/transcripts/), stopped and started
 * again midway, then `ctvs query` over gascity_messages and gascity_events, joined with the proxy's recording of the
 * same turns.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { gascitySessionRows } from "../../query/gascity/message_rows.ts";
import { lineKey } from "../../server/gascity/line_key.ts";
import { SupervisorDouble } from "../fixtures/gascity_supervisor.ts";
import { ctvs, startCtvs } from "../helpers/child.ts";
import { settled } from "../helpers/until.ts";
import { gascityHome } from "./_gascity.ts";
import { CLAUDE_FILE, lines, PROXY_FILE } from "../query/transcript_rows/_recorded.ts";

/** Up to 20 s, every 200 ms: child processes and the supervisor double on a loaded machine. */
const SLOW = { timeoutMs: 20_000, intervalMs: 200 };

const CLAUDE = lines(CLAUDE_FILE);
const MAYOR = { id: "s-1", template: "mayor", rig: "rig-a", alias: "mayor", state: "active", provider: "claude" };

/** `ctvs query sql <sql>` as parsed JSON rows. */
async function sql(config: string, query: string): Promise<Record<string, unknown>[]> {
  const r = await ctvs(["query", "sql", query, "--config", config, "--format", "jsonl", "--refresh", "always"]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

test("ctvs records a Gas City session exactly once across a restart, and ctvs query reads it", async () => {
  const double = await SupervisorDouble.start({ keepaliveMs: 500, heartbeatMs: 1000 });
  const tmp = await gascityHome([{ name: "alpha", api_url: double.url }]);
  try {
    const { root, config, pidFile } = tmp;
    double.addSession("alpha", MAYOR, CLAUDE.slice(0, 12));
    const args = ["--config", config, "--pid-file", pidFile];
    let daemon = startCtvs(args);
    await daemon.waitFor(/^Gas City capture of alpha \(http:\/\/127\.0\.0\.1:\d+\), recording to /);
    await settled(() => double.openStreams, (s) => s.events === 1 && s.sessions === 1, SLOW);
    double.appendLines("alpha", "s-1", CLAUDE.slice(12, 18), 3);
    double.emit("alpha", "session.pending", { subject: "s-1", payload: { session_id: "s-1", template: "mayor" } });
    const status = await settled(
      async () => JSON.parse((await ctvs(["gascity", "status", "--config", config, "--format", "json"])).stdout),
      (s) => s[0]?.sessions?.[0]?.lines === 18,
      SLOW,
    );
    assert.equal(status[0].collector, "running");
    assert.equal(status[0].state, "connected");
    assert.deepEqual(
      [status[0].sessions[0].session_id, status[0].sessions[0].template, status[0].sessions[0].state],
      ["s-1", "mayor", "streaming"],
    );
    daemon.kill("SIGTERM");
    assert.equal((await daemon.exited).code, 0, daemon.transcript());

    // Written while ctvs is down: the raw stream replays the whole transcript on reconnect.
    double.appendLines("alpha", "s-1", CLAUDE.slice(18));
    double.emit("alpha", "mail.sent", { actor: "human", subject: "mayor", message: "status?" });
    daemon = startCtvs(args);
    await daemon.waitFor(/^Gas City capture of alpha/);
    const expected = (() => {
      const maker = gascitySessionRows(
        { city: "alpha", sessionId: "s-1", template: "mayor", rig: "rig-a", alias: "mayor", provider: "claude" },
        undefined,
      );
      return CLAUDE.flatMap((line) => maker.line(line, lineKey(line)));
    })();
    const columns = "row_id, role, part_type, content_text, tool_name, tool_call_id, model, input_tokens, " +
      "output_tokens, cost_usd, gascity_template, gascity_rig, gascity_alias, provider_uuid, message_id, request_id";
    const recorded = await settled(
      () => sql(config, `select ${columns} from gascity_messages order by message_created_at, row_id`),
      (rows) => rows.length >= expected.length,
      SLOW,
    );
    const pick = (r: Record<string, unknown>) => columns.split(", ").map((c) => r[c] ?? null);
    const sortKey = (r: Record<string, unknown>) => `${r.row_id}`;
    assert.deepEqual(
      recorded.map(pick).sort(),
      [...expected].sort((a, b) => sortKey(a) < sortKey(b) ? -1 : 1).map(pick).sort(),
    );
    // Nothing twice in the files either (the query would hide a repeated row_id).
    const files = await fs.readdir(path.join(root, "gw", "gascity_messages"));
    const onDisk = (await Promise.all(files.map((f) =>
      fs.readFile(path.join(root, "gw", "gascity_messages", f), "utf8")
    )))
      .join("").split("\n").filter(Boolean);
    assert.equal(onDisk.length, expected.length);

    const events = await settled(
      () => sql(config, "select seq, type, subject, message from gascity_events order by seq"),
      (rows) => rows.length >= 2,
      SLOW,
    );
    assert.deepEqual(events, [
      { seq: 1, type: "session.pending", subject: "s-1", message: null },
      { seq: 2, type: "mail.sent", subject: "mayor", message: "status?" },
    ]);
    daemon.kill("SIGTERM");
    assert.equal((await daemon.exited).code, 0, daemon.transcript());

    // The proxy recorded the same turns: the documented joins find them, and the costs agree.
    const proxyDay = path.join(root, "e2e", "proxy", path.basename(PROXY_FILE));
    await fs.mkdir(path.dirname(proxyDay), { recursive: true });
    await fs.copyFile(PROXY_FILE, proxyDay);
    const joined = await sql(
      config,
      `select g.gascity_template, count(distinct p.message_id) as proxy_messages
       from gascity_messages g join proxy_messages p on p.conversation_id = g.provider_session_id
       group by 1`,
    );
    assert.equal(joined.length, 1);
    assert.equal(joined[0].gascity_template, "mayor");
    assert.ok((joined[0].proxy_messages as number) > 0);
    // The worked query of docs/gascity.md.
    const costs = await sql(
      config,
      `SELECT g.gascity_template,
         count(*)                      AS requests,
         round(avg(r.latency_ms))      AS avg_latency_ms,
         round(sum(r.cost_usd), 4)     AS proxy_usd,
         round(sum(g.cost_usd), 4)     AS transcript_usd
       FROM gascity_messages g
       JOIN llm_requests r ON r.request_id = g.request_id
       WHERE g.cost_usd IS NOT NULL
       GROUP BY 1 ORDER BY proxy_usd DESC`,
    );
    assert.equal(costs.length, 1);
    assert.deepEqual([costs[0].gascity_template, costs[0].requests], ["mayor", 4]);
    assert.ok((costs[0].transcript_usd as number) > 0);
    assert.equal(costs[0].transcript_usd, costs[0].proxy_usd);
    const parts = await sql(
      config,
      `SELECT p.message_created_at, p.role, p.part_type, p.tool_name, left(p.content_text, 80) AS text
       FROM proxy_messages p
       WHERE p.conversation_id IN (SELECT provider_session_id FROM gascity_messages WHERE gascity_alias = 'mayor')
       ORDER BY p.message_created_at`,
    );
    assert.ok(parts.some((p) => p.part_type === "tool_call" && p.tool_name === "Bash"), JSON.stringify(parts));
  } finally {
    await double.close();
    await tmp.remove();
  }
});

test("a Central server (role server) records its cities into its server.sink_dir", async () => {
  const double = await SupervisorDouble.start({ keepaliveMs: 500 });
  const tmp = await gascityHome([]);
  try {
    const sinkDir = path.join(tmp.dir, "ingested");
    const secret = "s".repeat(40);
    const gascity = [{ name: "alpha", api_url: double.url }];
    const server = {
      version: 1,
      role: "server",
      server: {
        control_plane_listen: "127.0.0.1:0",
        identity_issuer: { secret, bootstrap_store_path: path.join(tmp.dir, "data", "bootstrap.json") },
        data_dir: path.join(tmp.dir, "data"),
        sink_dir: sinkDir,
      },
      gascity,
    };
    await fs.writeFile(tmp.config, JSON.stringify(server));
    double.addSession("alpha", MAYOR, CLAUDE.slice(0, 8));
    const central = startCtvs(["--config", tmp.config, "--pid-file", tmp.pidFile]);
    try {
      const line = await central.waitFor(/^Gas City capture of alpha/);
      assert.match(line, new RegExp(`recording to ${sinkDir}/[^/]+/gascity_messages/<UTC-date>\\.jsonl$`));
      const status = await settled(
        async () => JSON.parse((await ctvs(["gascity", "status", "--config", tmp.config, "--format", "json"])).stdout),
        (s) => s[0]?.sessions?.[0]?.rows > 0,
        SLOW,
      );
      assert.equal(status[0].collector, "running");
      const rows = await sql(tmp.config, "select count(*) as n, min(gascity_template) as t from gascity_messages");
      assert.equal(rows[0].t, "mayor");
      assert.ok((rows[0].n as number) > 0);
    } finally {
      central.kill("SIGTERM");
      assert.equal((await central.exited).code, 0, central.transcript());
    }
  } finally {
    await double.close();
    await tmp.remove();
  }
});
