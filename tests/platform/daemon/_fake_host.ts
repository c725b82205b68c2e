/**
 * A {@link Host} for tests: a temporary home, a fixed clock and program, and a service-manager runner that records
 * every call and answers from a script.
 */
import type { Io } from "../../../cli/io.ts";
import type { Host } from "../../../platform/daemon/host.ts";
import type { RunResult } from "../../../platform/daemon/runner.ts";
import { tempDir } from "../../helpers/child.ts";

/** A fake host plus the calls its runner received. */
export interface FakeHost extends Host {
  calls: string[];
  remove(): Promise<void>;
}

/** Makes a fake host; `answer` decides each runner call's result (default exit 0, no output). */
export async function fakeHost(
  options: {
    platform?: string;
    answer?: (call: string) => Partial<RunResult>;
    /** Answers to terminal questions, in order. */
    replies?: string[];
  } = {},
): Promise<FakeHost> {
  const home = await tempDir();
  const calls: string[] = [];
  const replies = [...(options.replies ?? [])];
  return {
    home: home.dir,
    env: {},
    platform: options.platform ?? "linux",
    program: ["/opt/ctvs/bin/ctvs"],
    now: () => new Date("2026-01-02T03:04:05.000Z"),
    runner: (command, args) => {
      const call = [command, ...args].join(" ");
      calls.push(call);
      return Promise.resolve({ code: 0, stdout: "", stderr: "", ...options.answer?.(call) });
    },
    ask: (question) => {
      calls.push(`ask ${question}`);
      return Promise.resolve(replies.shift() ?? "");
    },
    calls,
    remove: home.remove,
  };
}

/** An Io that keeps what was written. */
export function captureIo(isTTY = false): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), isTTY, color: false };
}
