/**
 * The launchd agent plist for the daemon.
 *
 * @module
 */
import path from "node:path";
import { daemonArgv, LABEL, type ServiceSpec } from "./service_spec.ts";

/** Escapes `&`, `<` and `>` for XML text. */
function xml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

const string = (s: string) => `<string>${xml(s)}</string>`;

/** Renders the plist. */
export function renderPlist(spec: ServiceSpec): string {
  // launchd has no environment files: ctvs reads it itself.
  const argv = [...daemonArgv(spec), ...(spec.envFile ? ["--env-file", spec.envFile] : [])];
  const args = argv.map((a) => `    ${string(a)}\n`).join("");
  const env = Object.entries(spec.env ?? {});
  const envBlock = env.length === 0 ? "" : `  <key>EnvironmentVariables</key>
  <dict>
${env.map(([k, v]) => `    <key>${xml(k)}</key>\n    ${string(v)}\n`).join("")}  </dict>
`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  ${string(LABEL)}
  <key>ProgramArguments</key>
  <array>
${args}  </array>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <true/>
  <key>StandardOutPath</key>
  ${string(path.join(spec.logDir, "collectivus.log"))}
  <key>StandardErrorPath</key>
  ${string(path.join(spec.logDir, "collectivus.err.log"))}
${envBlock}</dict>
</plist>
`;
}
