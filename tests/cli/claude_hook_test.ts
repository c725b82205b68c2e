/**
 * The session-context hook: what it posts (cwd, branch from a real git repo), that it is silent and always exits
 * 0, and how long the real process takes.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { test } from "node:test";
import { runClaudeHook } from "../../cli/claude_hook.ts";
import { gitBranch } from "../../platform/claude_code/session_context.ts";
import { denoRun, freePort, tempDir } from "../helpers/child.ts";
import { captureIo } from "../platform/daemon/_fake_host.ts";

/** A loopback server that keeps every request body. */
async function receiver(): Promise<{ port: number; bodies: string[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => body += c);
    req.on("end", () => {
      bodies.push(`${req.method} ${req.url} ${body}`);
      res.end('{"ok":true}');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { port, bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test("gitBranch() reads the branch of a real repository from any subdirectory, and none outside one", async () => {
  const dir = await tempDir();
  try {
    execFileSync("git", ["init", "-q", "-b", "feature/x", dir.dir]);
    await fs.mkdir(path.join(dir.dir, "a", "b"), { recursive: true });
    assert.equal(await gitBranch(path.join(dir.dir, "a", "b")), "feature/x");
    assert.equal(await gitBranch("/"), undefined);
  } finally {
    await dir.remove();
  }
});

test("runClaudeHook() posts session_id, new_cwd and git_branch, silently", async () => {
  const server = await receiver();
  const dir = await tempDir();
  try {
    execFileSync("git", ["init", "-q", "-b", "main", dir.dir]);
    const io = captureIo();
    const input = JSON.stringify({
      session_id: "s1",
      cwd: "/elsewhere",
      new_cwd: dir.dir,
      hook_event_name: "CwdChanged",
    });
    assert.equal(
      await runClaudeHook(["session-context", "--port", String(server.port)], io, () => Promise.resolve(input)),
      0,
    );
    assert.deepEqual(server.bodies, [
      `POST /_collectivus/session-context ${JSON.stringify({ session_id: "s1", cwd: dir.dir, git_branch: "main" })}`,
    ]);
    assert.deepEqual([io.stdout, io.stderr], [[], []]);
  } finally {
    await server.close();
    await dir.remove();
  }
});

test("runClaudeHook() exits 0 without posting for bad input, a bad port, or a dead proxy", async () => {
  const io = captureIo();
  let posts = 0;
  const fetcher = (() => {
    posts++;
    return Promise.reject(new Error("connection refused"));
  }) as typeof fetch;
  const hook = (argv: string[], input: string) => runClaudeHook(argv, io, () => Promise.resolve(input), fetcher);
  assert.equal(await hook(["session-context", "--port", "1"], "not json"), 0);
  assert.equal(await hook(["session-context", "--port", "1"], '{"cwd":"/"}'), 0);
  assert.equal(await hook(["session-context", "--port", "x"], '{"session_id":"s","cwd":"/"}'), 0);
  assert.equal(posts, 0);
  assert.equal(await hook(["session-context", "--port", "1"], '{"session_id":"s","cwd":"/"}'), 0);
  assert.equal(posts, 1);
  assert.deepEqual([io.stdout, io.stderr], [[], []]);
});

test("the real hook process posts and exits 0 quickly (timing printed)", async () => {
  const server = await receiver();
  try {
    const [command, args] = denoRun("main.ts", ["claude-hook", "session-context", "--port", String(server.port)]);
    const started = performance.now();
    // Async spawn: a synchronous one would block this process's event loop, and with it the receiving server.
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => stdout += c);
    child.stderr.on("data", (c) => stderr += c);
    child.stdin.end('{"session_id":"s2","cwd":"/"}');
    const status = await new Promise((resolve) => child.on("close", resolve));
    const ms = Math.round(performance.now() - started);
    console.log(`claude-hook session-context took ${ms} ms (deno run from source)`);
    assert.deepEqual([status, stdout, stderr], [0, "", ""]);
    assert.deepEqual(server.bodies, ['POST /_collectivus/session-context {"session_id":"s2","cwd":"/"}']);
    assert.ok(ms < 5_000, `took ${ms} ms`);
  } finally {
    await server.close();
  }
});
