/**
 * The floor a Node OTLP/JSON collector reaches, for `deno task bench otlp`: a plain `node:http` server that reads a
 * body, `JSON.parse`s it, appends one line per record (`JSON.stringify` of each span, log record or data point) to
 * `<dir>/<signal>.jsonl`, and answers 200 once the append is done. Nothing is checked, normalized or kept raw: any
 * collector written for Node does at least this much. Run by the benchmark as `node node_floor_receiver.mjs <dir>`;
 * it prints `listening on <port>` and stops on SIGTERM.
 *
 * @module
 */
import { appendFile } from "node:fs/promises";
import { createServer } from "node:http";
import path from "node:path";
import process from "node:process";

const dir = process.argv[2];

/** The levels of each signal's request, as OTLP/JSON names them. */
const LEVELS = {
  "/v1/traces": ["traces", "resourceSpans", "scopeSpans", "spans"],
  "/v1/logs": ["logs", "resourceLogs", "scopeLogs", "logRecords"],
  "/v1/metrics": ["metrics", "resourceMetrics", "scopeMetrics", "metrics"],
};
const POINT_KINDS = ["sum", "gauge", "histogram", "exponentialHistogram", "summary"];

/** One line per span or log record, or per data point of a metric. */
function lines(signal, record) {
  if (signal !== "metrics") return JSON.stringify(record) + "\n";
  let out = "";
  for (const kind of POINT_KINDS) {
    for (const point of record[kind]?.dataPoints ?? []) out += JSON.stringify({ name: record.name, ...point }) + "\n";
  }
  return out;
}

const server = createServer((request, response) => {
  const levels = LEVELS[request.url];
  if (request.method !== "POST" || levels === undefined) {
    response.writeHead(404).end();
    return;
  }
  const [signal, resources, scopes, records] = levels;
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", async () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      let out = "";
      for (const resource of body[resources] ?? []) {
        for (const scope of resource[scopes] ?? []) {
          for (const record of scope[records] ?? []) out += lines(signal, record);
        }
      }
      await appendFile(path.join(dir, `${signal}.jsonl`), out);
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    } catch (error) {
      response.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ message: String(error) }));
    }
  });
});

server.listen(0, "127.0.0.1", () => console.log(`listening on ${server.address().port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
