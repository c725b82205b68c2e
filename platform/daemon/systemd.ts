/**
 * Install, uninstall and status of the systemd user unit; every `systemctl` call goes through the runner.
 *
 * @module
 */
import fs from "node:fs/promises";
import { atomicWrite } from "../atomic_write.ts";
import type { ServiceRunner } from "./runner.ts";
import { type ServiceSpec, UNIT, unitPath } from "./service_spec.ts";
import { renderUnit } from "./systemd_unit.ts";
import type { ServiceState } from "./service_state.ts";

/** Writes the unit, reloads systemd, enables and (re)starts it. Throws `failed to <step> ...: <stderr>`. */
export async function installSystemd(home: string, spec: ServiceSpec, run: ServiceRunner): Promise<void> {
  await fs.mkdir(spec.logDir, { recursive: true, mode: 0o700 });
  await atomicWrite(unitPath(home), renderUnit(spec), { mode: 0o644 });
  await step(run, ["daemon-reload"], "reload systemd user units for");
  await step(run, ["enable", UNIT], "enable systemd user unit");
  // restart, not start: a reinstall must pick up the new ExecStart.
  await step(run, ["restart", UNIT], "restart systemd user unit");
}

/** Stops, disables and removes the unit when it exists; reports whether it did. */
export async function uninstallSystemd(home: string, run: ServiceRunner): Promise<boolean> {
  const file = unitPath(home);
  if (!(await exists(file))) return false;
  await run("systemctl", ["--user", "stop", UNIT]);
  await run("systemctl", ["--user", "disable", UNIT]);
  await fs.rm(file, { force: true });
  await run("systemctl", ["--user", "daemon-reload"]);
  return true;
}

/** What systemd says about the unit. */
export async function systemdState(home: string, run: ServiceRunner): Promise<ServiceState> {
  const file = unitPath(home);
  const installed = await exists(file);
  const { code, stdout } = await run("systemctl", [
    "--user",
    "show",
    UNIT,
    "--property=LoadState,ActiveState,MainPID",
  ]);
  const props = Object.fromEntries(stdout.split("\n").map((l) => l.split("=", 2) as [string, string]));
  const pid = Number(props.MainPID);
  return {
    file,
    installed,
    loaded: code === 0 && props.LoadState === "loaded",
    active: props.ActiveState,
    pid: pid > 0 ? pid : undefined,
  };
}

async function step(run: ServiceRunner, args: string[], what: string): Promise<void> {
  const { code, stderr } = await run("systemctl", ["--user", ...args]);
  if (code !== 0) throw new Error(`failed to ${what} ${UNIT}: ${stderr.trim() || `exit ${code}`}`);
}

async function exists(file: string): Promise<boolean> {
  return await fs.stat(file).then(() => true, () => false);
}
