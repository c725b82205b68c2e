/**
 * The gateway role (reference §10.4, §10.5): before any port is bound it acquires its identity; its listeners (OTLP,
 * proxy) write to the durable outbox instead of a sink; one shipper per signal sends the outbox to Central; the config
 * poll applies what Central vends through the collector's reload, which restarts only the listeners whose section
 * changed. The connection to Central itself (`central_server`: URL, identity, outbox) is the one the gateway started
 * with; a vended config may change only its poll interval.
 *
 * @module
 */
import { canonicalJson } from "../../platform/canonical_json.ts";
import type { Config } from "../../platform/config/types.ts";
import { gatewayStateDir, identityPath, outboxDir } from "../../platform/fleet_paths.ts";
import { errorMessage } from "../../platform/runtime.ts";
import { Outbox, OUTBOX_SIGNALS } from "../../storage/outbox/outbox.ts";
import { SinkHealth } from "../../storage/sink_health.ts";
import type { RotationLimits } from "../../storage/outbox/outbox_writer.ts";
import { Collector } from "../collector.ts";
import type { ListenerFactory } from "../listener.ts";
import { ConfigPoller } from "./config_poll.ts";
import { IdentityClient } from "./identity_client.ts";
import { Shipper } from "./shipper.ts";
import { saveVendedConfig } from "./vended_config.ts";

/** How a gateway is built. */
export interface GatewayOptions {
  /** The gateway role's listener factories. */
  factories: readonly ListenerFactory[];
  out(line: string): void;
  err(line: string): void;
  /** What reaches Central (tests inject one). */
  fetch?: typeof fetch;
  /** Outbox batch thresholds (default 1000 rows / 1 MiB / 5 s). */
  rotation?: Partial<RotationLimits>;
  /** Where the last vended config is kept (default `~/.hyp/collectivus/gateway-config.json`). */
  vendedConfigPath?: string;
}

/** The default poll interval: 30 s. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 30;

/** A running gateway. */
export class Gateway {
  readonly #options: GatewayOptions;
  #config: Config | undefined;
  #identity: IdentityClient | undefined;
  #outbox: Outbox | undefined;
  #shippers: Shipper[] = [];
  #collector: Collector | undefined;
  #poller: ConfigPoller | undefined;
  #warnedCentral = false;
  /** Recording failures of its listeners (the outbox's full disk, dropped stream events). */
  readonly health: SinkHealth = new SinkHealth();

  constructor(options: GatewayOptions) {
    this.#options = options;
  }

  /** The gateway id (the JWT's `sub`), once started. */
  get gatewayId(): string {
    return this.#identity?.gatewayId ?? "";
  }

  /** The outbox, once started. */
  get outbox(): Outbox | undefined {
    return this.#outbox;
  }

  /**
   * Acquires the identity, opens the outbox, starts shipping, the listeners and the config poll, printing a line for
   * each. Throws (after undoing what it started) when any of them cannot start.
   */
  async start(config: Config): Promise<void> {
    const { out, err } = this.#options;
    const central = config.central_server!;
    this.#config = config;
    const identity = new IdentityClient({
      centralUrl: central.url,
      persistedPath: identityPath(central),
      bootstrapToken: central.identity.bootstrap_token,
      fetch: this.#options.fetch,
      log: err,
    });
    const outcome = await identity.acquire();
    this.#identity = identity;
    out(`Identity ${outcome} for ${identity.gatewayId}`);

    const outbox = await Outbox.open(outboxDir(central), { limits: this.#options.rotation, health: this.health });
    this.#outbox = outbox;
    if (outbox.recovered > 0) out(`Outbox ${outbox.dir}: ${outbox.recovered} batch(es) from the last run to ship`);
    this.#shippers = OUTBOX_SIGNALS.map((signal) =>
      new Shipper({ outbox, signal, centralUrl: central.url, identity, log: err, fetch: this.#options.fetch })
    );
    for (const shipper of this.#shippers) shipper.start();

    const collector = new Collector({
      factories: this.#options.factories,
      out,
      err,
      fixedSink: { sink: outbox, gatewayId: identity.gatewayId, spool: outbox.dir },
      allowEmpty: true,
      health: this.health,
    });
    try {
      await collector.start(config);
    } catch (error) {
      await this.#closeOutbox();
      throw error;
    }
    this.#collector = collector;

    this.#poller = new ConfigPoller({
      centralUrl: central.url,
      identity,
      intervalSeconds: central.poll_interval_seconds ?? DEFAULT_POLL_INTERVAL_SECONDS,
      stateDir: gatewayStateDir(central),
      onConfig: (vended) => this.#apply(vended),
      log: err,
      fetch: this.#options.fetch,
    });
    out(this.#poller.start());
  }

  /** SIGHUP: polls Central now. */
  hangup(): void {
    this.#options.out("config poll: polling Central now (SIGHUP)");
    this.#poller?.pollNow();
  }

  /**
   * Stops the poll and the listeners (draining them within `deadlineMs`), makes the open batches ready, and stops
   * shipping (the batch in flight goes back; the next start sends it). Resolves with whether the deadline was hit.
   */
  async stop(deadlineMs: number): Promise<{ timedOut: boolean }> {
    await this.#poller?.stop();
    const result = await this.#collector?.stop(deadlineMs) ?? { timedOut: false };
    await this.#closeOutbox();
    return result;
  }

  /** A vended config: reload with it, keeping the running `central_server` but for the poll interval. */
  async #apply(vended: Config): Promise<void> {
    const running = this.#config!.central_server!;
    const offered = vended.central_server!;
    const differs: string[] = [];
    if (offered.url !== running.url) differs.push("url");
    if (offered.outbox_dir !== undefined && offered.outbox_dir !== running.outbox_dir) differs.push("outbox_dir");
    const persisted = offered.identity.persisted_path;
    if (persisted !== undefined && persisted !== running.identity.persisted_path) {
      differs.push("identity.persisted_path");
    }
    if (differs.length > 0 && !this.#warnedCentral) {
      this.#warnedCentral = true;
      this.#options.err(
        `warning: config poll: the vended central_server differs in ${differs.join(", ")}; ` +
          "restart the gateway to apply it",
      );
    }
    const interval = offered.poll_interval_seconds ?? DEFAULT_POLL_INTERVAL_SECONDS;
    const next: Config = { ...vended, central_server: { ...running, poll_interval_seconds: interval } };
    // The first poll after a start fetches the config in full; when it is the one running, there is nothing to do.
    if (comparable(next) !== comparable(this.#config!)) {
      this.#options.out("config poll: applying the config vended by Central");
      await this.#collector!.reload(next);
      this.#poller?.setInterval(interval);
      this.#config = next;
    }
    await saveVendedConfig(next, this.#options.vendedConfigPath).catch((error) => {
      this.#options.err(`warning: cannot keep the vended config: ${errorMessage(error)}`);
    });
  }

  async #closeOutbox(): Promise<void> {
    await this.#outbox?.close();
    await Promise.all(this.#shippers.map((s) => s.stop()));
  }
}

/**
 * `config` as its canonical JSON for comparing a running config with a vended one: without the bootstrap token (a
 * setup URL adds it, a registered config lacks it) and with the poll interval written out (a vended config is
 * applied with its default filled in, a config started from a file may leave it out).
 */
function comparable(config: Config): string {
  const central = config.central_server;
  if (!central) return canonicalJson(config);
  const { bootstrap_token: _, ...identity } = central.identity;
  const interval = central.poll_interval_seconds ?? DEFAULT_POLL_INTERVAL_SECONDS;
  return canonicalJson({ ...config, central_server: { ...central, identity, poll_interval_seconds: interval } });
}
