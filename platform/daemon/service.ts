/**
 * The daemon backend for this platform: systemd on Linux, launchd on macOS, none elsewhere.
 *
 * @module
 */
import { installLaunchd, launchdState, uninstallLaunchd } from "./launchd.ts";
import type { ServiceRunner } from "./runner.ts";
import { LABEL, type ServiceSpec, UNIT } from "./service_spec.ts";
import type { ServiceState } from "./service_state.ts";
import { installSystemd, systemdState, uninstallSystemd } from "./systemd.ts";

/** One service manager. */
export interface ServiceBackend {
  /** How `✓ Daemon installed (<kind>)` names it. */
  kind: string;
  /** What to check when `install` fails: the manager is usually not reachable from this session. */
  failureHint: string;
  install(home: string, spec: ServiceSpec, run: ServiceRunner): Promise<void>;
  uninstall(home: string, run: ServiceRunner): Promise<boolean>;
  state(home: string, run: ServiceRunner): Promise<ServiceState>;
}

/** The backend for `platform` (a `process.platform` value), or undefined when there is none. */
export function serviceBackend(platform: string): ServiceBackend | undefined {
  if (platform === "linux") {
    return {
      kind: `systemd unit: ${UNIT}`,
      failureHint: "`systemctl --user status` must work here; a container, WSL without systemd, or an SSH login " +
        "without `loginctl enable-linger` has no systemd user session",
      install: installSystemd,
      uninstall: uninstallSystemd,
      state: systemdState,
    };
  }
  if (platform === "darwin") {
    return {
      kind: `LaunchAgent: ${LABEL}`,
      failureHint: "`launchctl` must reach your login session (`launchctl print gui/$(id -u)`); an SSH session " +
        "outside the GUI login may not",
      install: installLaunchd,
      uninstall: uninstallLaunchd,
      state: launchdState,
    };
  }
  return undefined;
}
