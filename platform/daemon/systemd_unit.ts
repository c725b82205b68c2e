/**
 * The systemd user unit text for the daemon.
 *
 * @module
 */
import path from "node:path";
import { daemonArgv, LABEL, type ServiceSpec } from "./service_spec.ts";

/**
 * Quotes one ExecStart argument: bare when made of safe characters, else double-quoted with `\\` and `\"`.
 * `%` and `$` are doubled everywhere, because systemd expands specifiers and variables even inside quotes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(quoteExecArg("/a b/%x"), '"/a b/%%x"');
 * ```
 */
export function quoteExecArg(arg: string): string {
  const escaped = arg.replaceAll("%", "%%").replaceAll("$", "$$$$");
  if (/^[A-Za-z0-9_\-./:=@+]+$/.test(escaped.replaceAll("%%", "").replaceAll("$$", ""))) return escaped;
  return `"${escaped.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** Renders the unit. */
export function renderUnit(spec: ServiceSpec): string {
  const env = Object.entries(spec.env ?? {}).map(([k, v]) => `Environment=${quoteExecArg(`${k}=${v}`)}\n`).join("");
  // A path, not a command line: only specifiers (%) are expanded in it; quotes would be taken as part of the name.
  const envFile = spec.envFile ? `EnvironmentFile=${spec.envFile.replaceAll("%", "%%")}\n` : "";
  return `[Unit]
Description=Collectivus daemon (${LABEL})

[Service]
Type=simple
ExecStart=${daemonArgv(spec).map(quoteExecArg).join(" ")}
Restart=always
RestartSec=5
StandardOutput=append:${path.join(spec.logDir, "collectivus.log")}
StandardError=append:${path.join(spec.logDir, "collectivus.err.log")}
${envFile}${env}
[Install]
WantedBy=default.target
`;
}
