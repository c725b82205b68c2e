/**
 * The facts about the machine that install, attach, status and skills depend on, gathered once so commands can
 * be tested against a temporary home without touching the test process's environment.
 *
 * @module
 */
import process from "node:process";
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
  };
}
