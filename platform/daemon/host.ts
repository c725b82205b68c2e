/**
 * The facts about the machine that install, attach, status and skills depend on, gathered once so commands can
 * be tested against a temporary home without touching the test process's environment.
 *
 * @module
 */
import process from "node:process";
import { createInterface } from "node:readline/promises";
import { homeDir } from "../paths.ts";
import { currentProgram } from "./program.ts";
import { type ServiceRunner, spawnRunner } from "./runner.ts";

/** Where and as what ctvs runs. */
export interface Host {
  home: string;
  env: Record<string, string | undefined>;
  platform: string;
  /** The argv that starts ctvs again (see `currentProgram`). */
  program: string[];
  now(): Date;
  /** Runs `systemctl` / `launchctl`. */
  runner: ServiceRunner;
  /** Asks one question on the terminal and resolves with the answer line. */
  ask(question: string): Promise<string>;
}

/** The real host. */
export function currentHost(): Host {
  return {
    home: homeDir(),
    env: process.env,
    platform: process.platform,
    program: currentProgram(),
    now: () => new Date(),
    runner: spawnRunner,
    ask,
  };
}

/** One readline question on stdin/stdout; the interface is closed again so the process can exit. */
async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}
