/**
 * The one way ctvs calls a service manager (`systemctl --user ...`, `launchctl ...`). Tests swap it for a recorder,
 * because neither manager can run in a build sandbox.
 *
 * @module
 */
import { execFile } from "node:child_process";

/** What a service-manager call returned. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `command args...` and resolves with its exit code and output; never rejects for a non-zero exit. */
export type ServiceRunner = (command: string, args: string[]) => Promise<RunResult>;

/** The real runner: a child process with a 30 s limit. */
export const spawnRunner: ServiceRunner = (command, args) =>
  new Promise((resolve) => {
    execFile(command, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 127) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || (error && !stdout ? error.message : "")) });
    });
  });
