/**
 * Rows shaped exactly like the OTLP receiver writes them (reference §5.4), and helpers to lay them out as a sink
 * directory (`<root>/<gw>/<signal>/<date>.jsonl`).
 */
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

/** A log row; `overrides` replace fields. */
export function logRow(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    serviceName: i % 2 === 0 ? "api" : "worker",
    timestamp: new Date(Date.UTC(2025, 2, 1, 12, 0, i)).toISOString(),
    observedTimestamp: new Date(Date.UTC(2025, 2, 1, 12, 0, i, 5)).toISOString(),
    severityNumber: i % 3 === 0 ? 17 : 9,
    severityText: i % 3 === 0 ? "ERROR" : "INFO",
    body: `message ${i}`,
    traceId: `${"a".repeat(31)}${i % 10}`,
    spanId: `${"b".repeat(15)}${i % 10}`,
    flags: 1,
    resource: { "service.name": i % 2 === 0 ? "api" : "worker", "host.name": "h1" },
    scope: { name: "app.logger", version: "1.0.0", attributes: { lib: "x" } },
    attributes: { "http.method": "GET", n: i },
    ...overrides,
  };
}

/** A span row. */
export function spanRow(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const start = Date.UTC(2025, 2, 1, 12, 0, i);
  return {
    serviceName: "api",
    traceId: `${"c".repeat(31)}${i % 3}`,
    spanId: `${"d".repeat(14)}${String(i).padStart(2, "0")}`,
    parentSpanId: i % 3 === 0 ? undefined : `${"d".repeat(14)}00`,
    name: `op-${i}`,
    kind: 2,
    startTimestamp: new Date(start).toISOString(),
    endTimestamp: new Date(start + i * 10).toISOString(),
    durationMs: i * 10,
    flags: 0,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    status: { code: i % 4 === 0 ? 2 : 0, message: i % 4 === 0 ? "boom" : undefined },
    resource: { "service.name": "api" },
    scope: { name: "tracer", attributes: {} },
    attributes: { route: `/r/${i}` },
    events: [],
    links: [],
    ...overrides,
  };
}

/** A metric data point row (a gauge of doubles, or an int sum when `int`). */
export function metricRow(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    serviceName: "api",
    metricName: i % 2 === 0 ? "cpu.usage" : "requests",
    description: "d",
    unit: i % 2 === 0 ? "1" : "{request}",
    resource: { "service.name": "api" },
    scope: { name: "meter" },
    metadata: {},
    metricType: i % 2 === 0 ? "gauge" : "sum",
    aggregationTemporality: i % 2 === 0 ? undefined : 2,
    isMonotonic: i % 2 === 0 ? undefined : true,
    startTimestamp: new Date(Date.UTC(2025, 2, 1, 11, 0, 0)).toISOString(),
    timestamp: new Date(Date.UTC(2025, 2, 1, 12, 0, i)).toISOString(),
    flags: 0,
    value: i % 2 === 0 ? i / 10 : String(1000 + i),
    valueType: i % 2 === 0 ? "double" : "int",
    attributes: { cpu: i % 2 },
    exemplars: [],
    ...overrides,
  };
}

/** JSONL text of `rows`. */
export function jsonl(rows: unknown[]): string {
  return rows.map((r) => JSON.stringify(r) + "\n").join("");
}

/** Writes (or appends) `text` to `<root>/<gw>/<signal>/<date>.jsonl` and returns the path. */
export async function writeDay(
  root: string,
  where: { gw?: string; signal: string; date?: string },
  text: string,
  mode: "write" | "append" = "write",
): Promise<string> {
  const file = path.join(root, where.gw ?? "alice", where.signal, `${where.date ?? "2025-03-01"}.jsonl`);
  await mkdir(path.dirname(file), { recursive: true });
  await (mode === "write" ? writeFile(file, text) : appendFile(file, text));
  return file;
}
