#!/usr/bin/env node
// The `ctvs` / `collectivus` command of the npm package. It runs ../lib/main.js with ctvs's V8 flags, the ones a
// compiled binary has built in (platform/v8_flags.ts; the build writes them below). V8 takes them only when the
// process starts, so when they are missing Node is started again with them: in place with process.execve where Node
// has it (22.15+, 23.11+), else as a child whose exit this process mirrors, passing signals on. Commands that end at
// once (the Claude Code hook on every prompt, --version, --help, the background update check, the health check)
// allocate too little for the flags to matter, and are not made to pay for a second start.
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

const V8_FLAGS = /* V8_FLAGS */ [];
const SHORT_LIVED = new Set(["claude-hook", "update-check", "healthcheck", "--version", "-V", "-v", "--help", "-h"]);

if (V8_FLAGS.every((flag) => process.execArgv.includes(flag)) || SHORT_LIVED.has(process.argv[2])) {
  await import("../lib/main.js");
} else {
  const self = fileURLToPath(import.meta.url);
  const args = [...process.execArgv, ...V8_FLAGS, self, ...process.argv.slice(2)];
  if (typeof process.execve === "function") {
    process.execve(process.execPath, [process.execPath, ...args], process.env);
  } else {
    const child = spawn(process.execPath, args, { stdio: "inherit" });
    const forward = (signal) => () => child.kill(signal);
    const signals = process.platform === "win32" ? ["SIGINT", "SIGTERM"] : ["SIGINT", "SIGTERM", "SIGHUP"];
    for (const signal of signals) process.on(signal, forward(signal));
    child.on("error", (error) => {
      console.error(`fatal: cannot start ${process.execPath}: ${error.message}`);
      process.exit(1);
    });
    child.on("exit", (code, signal) => {
      if (signal) {
        for (const name of signals) process.removeAllListeners(name);
        process.kill(process.pid, signal);
      } else {
        process.exit(code ?? 1);
      }
    });
  }
}
