/**
 * Shared pieces of the uploader tests: a recording root with days of logs, traces and metrics, dates relative to
 * today, the ledger read back, and a TCP relay to the S3 server that can be cut and restored (an outage).
 *
 * @module
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { literal } from "../../../query/dataset.ts";
import { openDb } from "../../../query/duckdb.ts";
import { jsonl, logRow, metricRow, spanRow } from "../../query/_fixtures.ts";

/** `YYYY-MM-DD`, `daysAgo` days before today (UTC). */
export function day(daysAgo: number): string {
  return new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
}

const ROWS = { logs: logRow, traces: spanRow, metrics: metricRow } as const;

/** Writes `<root>/<gw>/<signal>/<date>.jsonl` with `count` fixture rows; returns the rows. */
export async function writeRows(root: string, gw: string, signal: keyof typeof ROWS, date: string, count: number) {
  const rows = Array.from({ length: count }, (_, i) => ROWS[signal](i));
  await mkdir(path.join(root, gw, signal), { recursive: true });
  await writeFile(path.join(root, gw, signal, `${date}.jsonl`), jsonl(rows));
  return rows;
}

/** The ledger's lines without `committedAt` (which is a clock reading). */
export async function ledgerLines(root: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path.join(root, ".upload-ledger.jsonl"), "utf8").catch(() => "");
  return text.split("\n").filter(Boolean).map((line) => {
    const { committedAt, ...rest } = JSON.parse(line);
    if (Number.isNaN(Date.parse(committedAt))) throw new Error(`bad committedAt in ${line}`);
    return rest;
  });
}

/** Rows of a Parquet file's bytes, as JSON-able objects. */
export async function parquetRows(bytes: Uint8Array, dir: string, sql = "SELECT * FROM t") {
  const file = path.join(dir, `read-${Math.random().toString(16).slice(2)}.parquet`);
  await writeFile(file, bytes);
  const db = await openDb();
  try {
    await db.run(`CREATE VIEW t AS SELECT * FROM read_parquet(${literal(file)})`);
    return (await db.connection.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    db.close();
  }
}

/** A loopback TCP relay to `target`; `cut()` refuses and drops connections, `restore()` listens again. */
export async function relay(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => {});
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, "127.0.0.1", () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    get endpoint() {
      return `http://127.0.0.1:${port}`;
    },
    cut: async () => {
      await new Promise<void>((resolve) => {
        server!.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    restore: listen,
  };
}
