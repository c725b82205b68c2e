/**
 * Install, uninstall and status of the launchd agent; every `launchctl` call goes through the runner.
 *
 * @module
 */
import fs from "node:fs/promises";
import { atomicWrite } from "../atomic_write.ts";
import { renderPlist } from "./launchd_plist.ts";
import type { ServiceRunner } from "./runner.ts";
import { LABEL, plistPath, type ServiceSpec } from "./service_spec.ts";
import type { ServiceState } from "./service_state.ts";

/** Unloads a loaded agent, writes the plist, loads it. Throws `failed to ... LaunchAgent ...: <stderr>`. */
export async function installLaunchd(home: string, spec: ServiceSpec, run: ServiceRunner): Promise<void> {
  const file = plistPath(home);
  await fs.mkdir(spec.logDir, { recursive: true, mode: 0o700 });
  if ((await run("launchctl", ["list", LABEL])).code === 0 && (await exists(file))) {
    const { code, stderr } = await run("launchctl", ["unload", file]);
    if (code !== 0) throw new Error(`failed to unload existing LaunchAgent ${LABEL}: ${stderr.trim()}`);
  }
  await atomicWrite(file, renderPlist(spec), { mode: 0o644 });
  const { code, stderr } = await run("launchctl", ["load", file]);
  if (code !== 0) throw new Error(`failed to load LaunchAgent ${LABEL}: ${stderr.trim() || `exit ${code}`}`);
}

/** Unloads (best effort) and removes the plist; reports whether there was one. */
export async function uninstallLaunchd(home: string, run: ServiceRunner): Promise<boolean> {
  const file = plistPath(home);
  if (!(await exists(file))) return false;
  await run("launchctl", ["unload", file]);
  await fs.rm(file, { force: true });
  return true;
}

/** What launchd says about the agent. */
export async function launchdState(home: string, run: ServiceRunner): Promise<ServiceState> {
  const file = plistPath(home);
  const { code, stdout } = await run("launchctl", ["list", LABEL]);
  const pid = Number(/"PID" = (\d+);/.exec(stdout)?.[1] ?? 0);
  return { file, installed: await exists(file), loaded: code === 0, pid: pid > 0 ? pid : undefined };
}

async function exists(file: string): Promise<boolean> {
  return await fs.stat(file).then(() => true, () => false);
}
