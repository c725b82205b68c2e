/**
 * The update notice around a command (`platform/update_check.ts` has the rules): before the command runs, read the
 * cached answer and, once a day, start `ctvs update-check --background` detached; after it, print the notice from
 * what was cached. Nothing here waits on the network or writes a file.
 *
 * @module
 */
import { spawn } from "node:child_process";
import process from "node:process";
import { currentProgram } from "../platform/daemon/program.ts";
import {
  checkIsDue,
  installKind,
  isNewerVersion,
  readUpdateCache,
  updateCachePath,
  updateNoticeEnabled,
  updateNoticeLines,
} from "../platform/update_check.ts";
import { homeDir } from "../platform/paths.ts";
import { VERSION } from "../platform/version.ts";
import type { Io } from "./io.ts";

/** What {@link prepareUpdateNotice} needs from the machine; tests swap parts. */
export interface NoticeHost {
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  now: Date;
  /** The argv that starts this ctvs again (`currentProgram`). */
  program: string[];
  stderrIsTTY: boolean;
  /** Starts the background check; must not wait for it. */
  startCheck(program: string[]): void;
}

/** The real machine. */
function processHost(): NoticeHost {
  return {
    env: process.env,
    home: homeDir(),
    now: new Date(),
    program: currentProgram(),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    startCheck: startBackgroundCheck,
  };
}

/**
 * Prepares the notice for one run of `command` (undefined for the runner): returns the function that prints it after
 * the command, or undefined when there is nothing to print. Never throws: a notice must not fail a command.
 */
export function prepareUpdateNotice(
  command: string | undefined,
  io: Io,
  host: NoticeHost = processHost(),
): (() => void) | undefined {
  try {
    const enabled = updateNoticeEnabled({
      env: host.env,
      command,
      stdoutIsTTY: io.isTTY,
      stderrIsTTY: host.stderrIsTTY,
    });
    if (!enabled) return undefined;
    const file = updateCachePath(host.home);
    const cache = readUpdateCache(file);
    // The check records that it started (its first step), so the commands that follow today start no other; this
    // command writes nothing: an fsync'd write here would cost more than everything else the notice does.
    if (checkIsDue(cache, host.now)) host.startCheck(host.program);
    const latest = cache?.latest;
    if (latest === undefined || !isNewerVersion(latest, VERSION)) return undefined;
    const lines = updateNoticeLines(latest, VERSION, installKind(host.program));
    const yellow = io.color && !host.env.NO_COLOR;
    return () => {
      for (const line of lines) io.err(yellow ? `\x1b[33m${line}\x1b[39m` : line);
    };
  } catch {
    return undefined;
  }
}

/** Starts `ctvs update-check --background` in its own session, with no stdio, and lets this process exit. */
function startBackgroundCheck(program: string[]): void {
  const [command, ...args] = program;
  const child = spawn(command, [...args, "update-check", "--background"], { detached: true, stdio: "ignore" });
  child.on("error", () => {});
  child.unref();
}
