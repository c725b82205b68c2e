/**
 * What a daemon install needs to know, and the names and paths shared by the systemd and launchd backends.
 *
 * @module
 */
import path from "node:path";
import { withV8Flags } from "./program.ts";

/** The service label of the original collectivus, kept so an upgrade replaces its unit instead of adding one. */
export const LABEL = "com.hyparam.collectivus";

/** The systemd unit name. */
export const UNIT = `${LABEL}.service`;

/** Everything a unit or plist is generated from. */
export interface ServiceSpec {
  /** The argv that starts ctvs (see `currentProgram`); `--config <configPath>` is appended. */
  program: string[];
  /** An absolute config path. */
  configPath: string;
  /** Where stdout and stderr go: `collectivus.log` and `collectivus.err.log`. */
  logDir: string;
  env?: Record<string, string>;
  /**
   * An absolute path to an environment file (`platform/env_file.ts`) with the daemon's secrets: systemd reads it
   * (`EnvironmentFile=`), launchd's agent passes it to ctvs (`--env-file`). The values never enter the unit or plist.
   */
  envFile?: string;
}

/** `<home>/.hyp/collectivus`: the log directory. */
export function logDir(home: string): string {
  return path.join(home, ".hyp", "collectivus");
}

/** `<home>/.config/systemd/user/com.hyparam.collectivus.service`. */
export function unitPath(home: string): string {
  return path.join(home, ".config", "systemd", "user", UNIT);
}

/** `<home>/Library/LaunchAgents/com.hyparam.collectivus.plist`. */
export function plistPath(home: string): string {
  return path.join(home, "Library", "LaunchAgents", `${LABEL}.plist`);
}

/** The daemon's full argv: a long-running ctvs, so with its V8 flags. */
export function daemonArgv(spec: ServiceSpec): string[] {
  return [...withV8Flags(spec.program), "--config", spec.configPath];
}
