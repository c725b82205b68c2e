/**
 * A Central server's host for the `ctvs config` tests: a fake host whose home holds a server config (its data
 * directory beside it, its JWT secret in `CTVS_SECRET`), and `ctvs config` run against that config as `main` runs it
 * (an error reported as the CLI reports it).
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";
import { runConfig } from "../../cli/config.ts";
import { report } from "../../cli/main.ts";
import { captureIo, type FakeHost, fakeHost } from "../platform/daemon/_fake_host.ts";

/** The server's JWT secret (in the host's `CTVS_SECRET`). */
export const SERVER_SECRET = "config-cli-secret-config-cli-secret!";

/** A server host; see the module doc. */
export interface ServerHost {
  host: FakeHost;
  /** `server.data_dir`. */
  data: string;
  /** The server config file. */
  serverConfig: string;
  /** `ctvs config <argv> --server-config <serverConfig>`, stdin a terminal when `tty`. */
  run(argv: string[], tty?: boolean): Promise<{ code: number; stdout: string; stderr: string }>;
}

/**
 * A host whose server config listens on `0.0.0.0:8788` as `https://central.example.com:8788`; `server` replaces
 * those keys or adds others (a key set to undefined is left out). `replies` answer the host's prompts in turn.
 */
export async function serverHost(server: Record<string, unknown> = {}, replies: string[] = []): Promise<ServerHost> {
  const host = await fakeHost({ replies });
  host.env.CTVS_SECRET = SERVER_SECRET;
  const data = path.join(host.home, "server-data");
  const serverConfig = path.join(host.home, "central.json");
  await fs.writeFile(
    serverConfig,
    JSON.stringify({
      version: 1,
      role: "server",
      server: {
        control_plane_listen: "0.0.0.0:8788",
        public_url: "https://central.example.com:8788",
        identity_issuer: { secret_env: "CTVS_SECRET", bootstrap_store_path: path.join(data, "bootstrap.json") },
        data_dir: data,
        ...server,
      },
    }),
  );
  const run = async (argv: string[], tty = false) => {
    const io = captureIo();
    let code: number;
    try {
      code = await runConfig([...argv, "--server-config", serverConfig], io, host, tty);
    } catch (error) {
      code = report(error, io);
    }
    return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
  };
  return { host, data, serverConfig, run };
}
