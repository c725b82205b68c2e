/**
 * For the fleet end-to-end tests: a real Central server and real gateways as `ctvs` processes on loopback, set up as
 * an operator would (configs registered, bootstrap tokens issued, gateways started from their setup URL), and what
 * Central wrote read back.
 *
 * @module
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { BootstrapTokens } from "../../server/central/bootstrap_tokens.ts";
import { ConfigRegistry } from "../../server/central/config_registry.ts";
import { type Child, freePort, startCtvs } from "../helpers/child.ts";

/** The environment every child gets: its own HOME, and Deno's module cache where it is (no downloads). */
export function childEnv(home: string): Record<string, string> {
  return {
    HOME: home,
    NO_COLOR: "1",
    DENO_DIR: process.env.DENO_DIR ??
      path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "deno"),
  };
}

/** A Central server's files and address, whether or not its process runs. */
export interface CentralSetup {
  dir: string;
  port: number;
  url: string;
  configPath: string;
  dataDir: string;
  sinkDir: string;
  registry: ConfigRegistry;
  tokens: BootstrapTokens;
}

/**
 * Writes a Central config under `dir` on a fixed free port (so a restart keeps its address); `publicUrl` is what it
 * tells gateways to use (default its own address; replicas name the address in front of them).
 */
export async function setupCentral(
  dir: string,
  ingest: Record<string, number> = {},
  publicUrl?: string,
): Promise<CentralSetup> {
  const port = await freePort();
  const dataDir = path.join(dir, "data");
  const configPath = path.join(dir, `central-${port}.json`);
  await mkdir(dir, { recursive: true });
  await writeFile(
    configPath,
    JSON.stringify({
      version: 1,
      role: "server",
      server: {
        control_plane_listen: `127.0.0.1:${port}`,
        public_url: publicUrl ?? `http://127.0.0.1:${port}`,
        identity_issuer: {
          secret: "fleet-test-secret-fleet-test-secret-0123",
          bootstrap_store_path: path.join(dataDir, "bootstrap-tokens.json"),
        },
        data_dir: dataDir,
        ingest,
      },
    }),
  );
  return {
    dir,
    port,
    url: `http://127.0.0.1:${port}`,
    configPath,
    dataDir,
    sinkDir: path.join(dataDir, "ingested"),
    registry: new ConfigRegistry(dataDir),
    tokens: new BootstrapTokens(path.join(dataDir, "bootstrap-tokens.json")),
  };
}

/** Starts `ctvs --config <central config>` and waits for its control plane. */
export async function startCentral(central: CentralSetup, configPath = central.configPath): Promise<Child> {
  const child = startCtvs(["--config", configPath], { env: childEnv(central.dir) });
  await child.waitFor(/Control-plane listener bound on/, 60_000);
  return child;
}

/** A gateway's files and addresses. */
export interface GatewaySetup {
  id: string;
  home: string;
  otelUrl: string;
  proxyUrl: string;
  outboxDir: string;
  /** `--config-endpoint` with its one-shot token. */
  setupUrl: string;
}

/**
 * Registers `id`'s config (OTLP and a proxy in front of `upstream`, fixed free ports, its outbox and identity under its
 * own home) and issues its bootstrap token, as `ctvs config set` and `ctvs config bootstrap-token issue` do.
 */
export async function setupGateway(
  central: CentralSetup,
  id: string,
  upstream: string,
  options: { outboxDir?: string; pollSeconds?: number; centralUrl?: string } = {},
): Promise<GatewaySetup> {
  const home = path.join(central.dir, id);
  await mkdir(home, { recursive: true });
  const [otelPort, proxyPort] = [await freePort(), await freePort()];
  const outboxDir = options.outboxDir ?? path.join(home, "outbox");
  await central.registry.set(id, {
    version: 1,
    role: "gateway",
    central_server: {
      url: options.centralUrl ?? central.url,
      identity: { persisted_path: path.join(home, "identity.json") },
      poll_interval_seconds: options.pollSeconds ?? 5,
      outbox_dir: outboxDir,
    },
    otel: { listen: `127.0.0.1:${otelPort}` },
    proxy: {
      listen: `127.0.0.1:${proxyPort}`,
      upstreams: [{ name: "anthropic", base_url: upstream, match: { path_prefix: "/v1/messages" } }],
    },
  });
  const { token } = await central.tokens.issue(id, 3600);
  return {
    id,
    home,
    otelUrl: `http://127.0.0.1:${otelPort}`,
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    outboxDir,
    setupUrl: `${options.centralUrl ?? central.url}/v1/bootstrap-config?token=${token}`,
  };
}

/** Starts a gateway from its setup URL and waits for its config poll line (its listeners are up then). */
export async function startGateway(gateway: GatewaySetup): Promise<Child> {
  const child = startCtvs(["--config-endpoint", gateway.setupUrl], { env: childEnv(gateway.home) });
  await child.waitFor(/Config poll loop active/, 60_000);
  return child;
}

/** Every row Central wrote for `signal`, all gateways and days. */
export async function centralRows(sinkDir: string, signal: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const gateway of await names(sinkDir)) {
    if (gateway.startsWith(".")) continue;
    const dir = path.join(sinkDir, gateway, signal);
    for (const file of (await names(dir)).filter((n) => n.endsWith(".jsonl")).sort()) {
      for (const line of (await readFile(path.join(dir, file), "utf8")).split("\n")) {
        if (line !== "") rows.push(JSON.parse(line));
      }
    }
  }
  return rows;
}

/** The batch files waiting in an outbox (ready, being sent or open), by signal. */
export async function outboxFiles(outboxDir: string): Promise<string[]> {
  const files: string[] = [];
  for (const signal of ["logs", "traces", "metrics", "proxy"]) {
    for (const name of await names(path.join(outboxDir, signal))) {
      if (/\.(ndjson|sending|open)$/.test(name)) files.push(`${signal}/${name}`);
    }
  }
  return files;
}

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** Stops `children` with SIGTERM, each expected to exit 0 (a clean drain). */
export async function stopCleanly(children: Child[]): Promise<void> {
  for (const child of children) {
    child.kill("SIGTERM");
    const { code } = await child.exited;
    if (code !== 0) throw new Error(`exited ${code} on SIGTERM:\n${child.transcript()}`);
  }
}

/** Kills whatever of `children` still runs (a test that failed midway), and waits for them. */
export async function killLeftovers(children: Child[]): Promise<void> {
  for (const child of children) {
    if (child.process.exitCode === null && child.process.signalCode === null) child.kill("SIGKILL");
  }
  await Promise.allSettled(children.map((c) => c.exited));
}
