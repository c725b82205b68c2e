/**
 * `ctvs status` says what went wrong instead of hiding it: a settings file it cannot read is not "not attached", and
 * the recording failures of a running collector (read from its status file) are shown.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { runStatus } from "../../cli/status.ts";
import { readStatusFile } from "../../server/status_file.ts";
import { boundAddress, startCtvs } from "../helpers/child.ts";
import { settled } from "../helpers/until.ts";
import { captureIo, fakeHost } from "../platform/daemon/_fake_host.ts";

/** Up to 20 s, every 100 ms: a child process on a loaded machine. */
const SLOW = { timeoutMs: 20_000, intervalMs: 100 };

async function status(host: Awaited<ReturnType<typeof fakeHost>>) {
  const io = captureIo();
  const code = await runStatus([], io, host);
  return { code, stdout: io.stdout.join("\n") };
}

test("ctvs status reports settings it cannot read instead of 'not attached', and exits 1", async () => {
  const host = await fakeHost();
  try {
    // A directory where the file should be: EISDIR, as a permission problem would be (the tests run as root).
    await fs.mkdir(path.join(host.home, ".claude", "settings.json"), { recursive: true });
    await fs.mkdir(path.join(host.home, ".codex", "config.toml"), { recursive: true });
    const { code, stdout } = await status(host);
    assert.equal(code, 1);
    const lines = stdout.split("\n");
    const claude = lines.indexOf("Claude Code");
    assert.equal(
      lines[claude + 1],
      `  Status: unknown (Cannot read ${host.home}/.claude/settings.json: it is a directory)`,
    );
    const codex = lines.indexOf("Codex");
    assert.equal(
      lines[codex + 1],
      `  Status: unknown (Cannot read ${host.home}/.codex/config.toml: it is a directory)`,
    );
  } finally {
    await host.remove();
  }
});

test("ctvs status shows the recording failures of the running collector, and after it stopped", async () => {
  const host = await fakeHost();
  try {
    const sink = path.join(host.home, "rec");
    // A file where the logs folder should be: every logs append fails, the collector keeps running.
    await fs.mkdir(path.join(sink, "gw"), { recursive: true, mode: 0o700 });
    await fs.writeFile(path.join(sink, "gw", "logs"), "not a folder");
    const config = path.join(host.home, "config.json");
    await fs.writeFile(
      config,
      JSON.stringify({
        version: 1,
        gateway_id: "gw",
        otel: { listen: "127.0.0.1:0" },
        sink: { type: "file", dir: sink },
      }),
    );
    const child = startCtvs(["--config", config], { env: { HOME: host.home } });
    try {
      const line = await child.waitFor(/^OTLP listener bound on/);
      const address = boundAddress(line);
      const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: "x" } }, {}] }] }] };
      const response = await fetch(`http://${address}/v1/logs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      await response.body?.cancel();
      assert.notEqual(response.status, 200);
      const file = path.join(host.home, ".collectivus", "runtime", "collectivus.status.json");
      const published = await settled(() => readStatusFile(file), (s) => (s?.recording.failed_rows ?? 0) > 0, SLOW);
      assert.equal(published?.pid, child.process.pid);
      assert.equal((await fs.stat(file)).mode & 0o777, 0o600);

      const running = await status(host);
      const lines = running.stdout.split("\n");
      const at = lines.indexOf("Recording");
      assert.match(lines[at + 1], new RegExp(`^  Collector: PID ${child.process.pid}, running since \\d{4}-`));
      assert.equal(lines[at + 2], "  Failures: 2 row(s) not written (logs 2)");
      assert.match(
        lines[at + 3],
        new RegExp(`^  Last error: \\d{4}-\\S+ logs: Cannot write ${sink}/gw/logs/\\d{4}-\\d{2}-\\d{2}\\.jsonl: `),
      );
      assert.equal(lines[at + 4], `  Status file: ${file}`);
    } finally {
      child.kill("SIGTERM");
      assert.equal((await child.exited).code, 0, child.transcript());
    }
    const stopped = await status(host);
    assert.match(stopped.stdout, /^ {2}Collector: PID \d+, not running \(stopped \d{4}-\S+\)$/m);
    assert.match(stopped.stdout, /^ {2}Failures: 2 row\(s\) not written \(logs 2\)$/m);
  } finally {
    await host.remove();
  }
});

test("ctvs status shows a gateway's Central and what waits in its outbox, poison batches apart", async () => {
  const host = await fakeHost();
  try {
    const outbox = path.join(host.home, "spool");
    await fs.mkdir(path.join(outbox, "logs", "failed"), { recursive: true });
    await fs.writeFile(path.join(outbox, "logs", "2026-01-01T00-00-00-000Z-1-1-aaaaaa.ndjson"), '{"a":1}\n');
    await fs.writeFile(path.join(outbox, "logs", "failed", "2026-01-01T00-00-00-000Z-1-0-aaaaaa.ndjson"), "x\n");
    await fs.mkdir(path.join(host.home, ".hyp"), { recursive: true });
    await fs.writeFile(
      path.join(host.home, ".hyp", "collectivus.json"),
      JSON.stringify({
        version: 1,
        role: "gateway",
        central_server: { url: "https://central.example.com:8788", identity: {}, outbox_dir: outbox },
      }),
    );
    const { stdout } = await status(host);
    const lines = stdout.split("\n");
    assert.ok(lines.includes("  role:  gateway of https://central.example.com:8788"), stdout);
    assert.ok(lines.includes(`  outbox: ${outbox}: 1 batch(es) waiting (0.0 MB)`), stdout);
    assert.ok(lines.includes(`  outbox: 1 poison batch(es) Central refused, in ${outbox}/<signal>/failed/`), stdout);
  } finally {
    await host.remove();
  }
});

test("ctvs status on a gateway started from a setup URL shows the config Central vended, which it runs", async () => {
  const host = await fakeHost();
  try {
    const outbox = path.join(host.home, "spool");
    const dir = path.join(host.home, ".hyp", "collectivus");
    await fs.mkdir(dir, { recursive: true });
    const config = {
      version: 1,
      role: "gateway",
      central_server: { url: "https://central.example.com:8788", identity: {}, outbox_dir: outbox },
      proxy: {
        listen: "127.0.0.1:8787",
        upstreams: [{ name: "a", base_url: "https://api.anthropic.com", match: { path_prefix: "/v1/messages" } }],
      },
    };
    const vended = path.join(dir, "gateway-config.json");
    await fs.writeFile(vended, JSON.stringify({ saved_at: "2026-01-02T03:04:05.000Z", config }));
    const { code, stdout } = await status(host);
    assert.equal(code, 0, stdout);
    const lines = stdout.split("\n");
    const at = lines.indexOf("Config");
    assert.deepEqual(lines.slice(at, at + 7), [
      "Config",
      `  Path: ${host.home}/.hyp/collectivus.json`,
      "  Status: missing",
      `  Vended: ${vended} (saved 2026-01-02T03:04:05.000Z), which a gateway started with --config-endpoint runs`,
      "  proxy: 127.0.0.1:8787",
      "  role:  gateway of https://central.example.com:8788",
      `  outbox: ${outbox}: 0 batch(es) waiting (0.0 MB)`,
    ]);
  } finally {
    await host.remove();
  }
});
