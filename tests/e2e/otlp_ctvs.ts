/**
 * For the OTLP end-to-end tests: a real `ctvs` process (from source) with only the OTLP receiver, a temporary sink
 * directory, and what it wrote read back; plus a wrapper that records what an OpenTelemetry exporter was handed,
 * so a test compares the rows with exactly what the SDK sent.
 *
 * @module
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { boundAddress, startCtvs, tempDir } from "../helpers/child.ts";

/** A running `ctvs` with an OTLP listener. */
export interface OtlpCtvs {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The rows of `<signal>/<today UTC>.jsonl` (`signal` may be `raw/logs`). */
  rows(signal: string): Promise<Record<string, unknown>[]>;
  /** Stops it with SIGTERM and removes its directory; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `ctvs --config <file>` with `otel.listen` on a free port and waits for its start line. It records into
 * `sinkDir` when given (kept after stop), else into a directory of its own.
 */
export async function startOtlpCtvs(options: { sinkDir?: string } = {}): Promise<OtlpCtvs> {
  const temp = await tempDir("ctvs-e2e-otlp-");
  const sinkDir = options.sinkDir ?? path.join(temp.dir, "data");
  const config = path.join(temp.dir, "collectivus.json");
  await writeFile(
    config,
    JSON.stringify({
      version: 1,
      gateway_id: "e2e",
      otel: { listen: "127.0.0.1:0" },
      sink: { type: "file", dir: sinkDir },
    }),
  );
  const child = startCtvs(["--config", config, "--pid-file", path.join(temp.dir, "ctvs.pid")], {
    env: { HOME: temp.dir },
  });
  const line = await child.waitFor(/OTLP listener bound on/);
  const address = boundAddress(line);
  return {
    url: `http://${address}`,
    async rows(signal) {
      const file = path.join(sinkDir, "e2e", ...signal.split("/"), `${new Date().toISOString().slice(0, 10)}.jsonl`);
      const text = await readFile(file, "utf8").catch(() => "");
      return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
    },
    async stop() {
      child.kill("SIGTERM");
      const { code } = await child.exited;
      await temp.remove();
      return code;
    },
  };
}

/** An exporter's `export(items, callback)` result. */
interface ExportResult {
  code: number;
  error?: Error;
}

/**
 * Wraps an exporter so each batch it is handed is kept in `sent` (the SDK's own objects, before encoding) and each
 * result in `results`; everything else is the real exporter's.
 */
export function recording<Exporter extends object, Item>(exporter: Exporter) {
  const sent: Item[] = [];
  const results: ExportResult[] = [];
  const wrapped = new Proxy(exporter, {
    get(target, property) {
      if (property === "export") {
        return (items: Item | Item[], done: (result: ExportResult) => void) => {
          if (Array.isArray(items)) sent.push(...items);
          else sent.push(items);
          // deno-lint-ignore no-explicit-any
          (target as any).export(items, (result: ExportResult) => {
            results.push(result);
            done(result);
          });
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { exporter: wrapped, sent, results };
}

/** `[seconds, nanoseconds]` as nanoseconds. */
export const nanos = ([s, ns]: [number, number]) => BigInt(s) * 1_000_000_000n + BigInt(ns);
/** `[seconds, nanoseconds]` as the ISO time a row carries (milliseconds, truncated). */
export const iso = (time: [number, number]) => new Date(Number(nanos(time) / 1_000_000n)).toISOString();
/** What JSON keeps of a value: the form rows are compared in. */
export const written = <T>(value: T): T => JSON.parse(JSON.stringify(value));
