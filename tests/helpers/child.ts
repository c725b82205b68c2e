/**
 * Runs `ctvs` (or a test entry point) as a real child process and lets a test wait for lines, send signals and
 * collect the exit code. Works under Deno and Node (node:child_process only).
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { DENO_RUN_FLAGS } from "../../platform/v8_flags.ts";
import { Changes } from "./changes.ts";

/** The repository root. */
export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");

/** The command that runs a TypeScript entry point of this repo with the current Deno. */
export function denoRun(entry: string, args: string[]): [string, string[]] {
  return [process.execPath, ["run", "--allow-all", "--quiet", ...DENO_RUN_FLAGS, path.join(ROOT, entry), ...args]];
}

/** A running child with its output gathered line by line. */
export class Child {
  readonly process: ChildProcess;
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** A line arrived or the child ended. */
  readonly #changes = new Changes();
  #closed = false;

  constructor(
    command: string,
    args: string[],
    options: { env?: Record<string, string>; cwd?: string; stdin?: "pipe" | "ignore" } = {},
  ) {
    this.process = spawn(command, args, {
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      cwd: options.cwd ?? ROOT,
      stdio: [options.stdin ?? "ignore", "pipe", "pipe"],
    });
    this.#collect(this.process.stdout!, this.stdout);
    this.#collect(this.process.stderr!, this.stderr);
    this.exited = new Promise((resolve) => {
      // "close", not "exit": it comes once the child's output has been read to its end.
      this.process.on("close", (code, signal) => {
        this.#closed = true;
        resolve({ code, signal });
        this.#notify();
      });
    });
  }

  /** Resolves with the first stdout or stderr line matching `pattern`; rejects after `timeoutMs` or on exit. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const find = () => [...this.stdout, ...this.stderr].find((l) => pattern.test(l));
    try {
      await this.#changes.until(() => find() !== undefined || this.#closed, `${pattern}`, timeoutMs);
    } catch {
      throw new Error(`timed out waiting for ${pattern}:\n${this.transcript()}`);
    }
    const line = find();
    if (line === undefined) throw new Error(`exited before ${pattern}:\n${this.transcript()}`);
    return line;
  }

  /** Sends a signal. */
  kill(signal: NodeJS.Signals): void {
    // process.kill, not ChildProcess.kill: Deno's child_process then reports the signal as the exit cause even
    // when the child handled it and exited with a code.
    process.kill(this.process.pid!, signal);
  }

  /** Everything printed so far, for failure messages. */
  transcript(): string {
    return `--- stdout\n${this.stdout.join("\n")}\n--- stderr\n${this.stderr.join("\n")}`;
  }

  #collect(stream: NodeJS.ReadableStream, into: string[]): void {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop()!;
      into.push(...parts);
      this.#notify();
    });
    stream.on("end", () => {
      if (partial) into.push(partial);
      partial = "";
      this.#notify();
    });
  }

  #notify(): void {
    this.#changes.notify();
  }
}

/** Runs a command to completion and returns its exit code and output. */
export async function runToEnd(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = new Child(command, args, options);
  const { code } = await child.exited;
  return { code, stdout: child.stdout.join("\n"), stderr: child.stderr.join("\n") };
}

/** Runs `ctvs <args>` from source with `deno run`. */
export function ctvs(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) {
  const [command, full] = denoRun("main.ts", args);
  return runToEnd(command, full, options);
}

/** Starts `ctvs <args>` from source and returns the running child. */
export function startCtvs(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Child {
  const [command, full] = denoRun("main.ts", args);
  return new Child(command, full, options);
}

/** A fresh temporary directory; removed by the returned function. */
export async function tempDir(prefix = "ctvs-test-"): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}

/**
 * A TCP port that was free a moment ago. It is drawn below Linux's ephemeral range (32768+), where the port-0 binds of
 * tests running in parallel land, so a port released here is not handed to another test before the child binds it.
 */
export async function freePort(): Promise<number> {
  const net = await import("node:net");
  for (let attempt = 0;; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return port;
    if (attempt > 50) throw new Error("Cannot find a free port in 20000-31999");
  }
}

/**
 * The `host:port` a listener's start line names (`Proxy listener bound on 127.0.0.1:41234, recording to ...`,
 * `Rendezvous listener bound on 127.0.0.1:41235 (...)`).
 */
export function boundAddress(line: string): string {
  const address = /bound on (\S+?),?(?:\s|$)/.exec(line)?.[1];
  if (address === undefined) throw new Error(`no address in ${JSON.stringify(line)}`);
  return address;
}

/**
 * `ctvs --config <config>` with `env`, once its proxy listens: the child and the proxy's base URL
 * (`http://127.0.0.1:<port>`).
 */
export async function startProxy(config: string, env: Record<string, string>): Promise<{ ctvs: Child; url: string }> {
  const ctvs = startCtvs(["--config", config], { env });
  const line = await ctvs.waitFor(/^Proxy listener bound on/, 30_000);
  return { ctvs, url: `http://${boundAddress(line)}` };
}
