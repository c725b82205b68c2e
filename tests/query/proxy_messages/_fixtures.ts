/**
 * Proxy recordings shaped exactly like the proxy writes them (reference §4.3): exchange rows and their stream event
 * rows, for Anthropic Messages, OpenAI Responses and Chat Completions, and a sink directory to lay them in.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

// deno-lint-ignore no-explicit-any
export type Row = Record<string, any>;

/** An exchange row; `body` is the request body object, `response` the response body object (omitted: streamed). */
export function exchangeRow(
  id: string,
  ts: string,
  opts: { path?: string; body: unknown; response?: unknown; status?: number; events?: number; error?: string } & Row,
): Row {
  const { path: p = "/v1/messages?beta=true", body, response, status = 200, events = 0, error, ...rest } = opts;
  return {
    exchange_id: id,
    kind: "exchange",
    ts_start: ts,
    ts_end: new Date(Date.parse(ts) + 1500).toISOString(),
    duration_ms: 1500,
    upstream: p.startsWith("/v1/messages") ? "anthropic" : "openai",
    client: { ip: "127.0.0.1", user_agent: rest.user_agent ?? "claude-cli/2.1.197 (external, cli)" },
    request: { method: "POST", path: p, headers: rest.headers ?? {}, body: JSON.stringify(body) },
    response: {
      status,
      headers: {},
      ...(response === undefined ? {} : { body: typeof response === "string" ? response : JSON.stringify(response) }),
    },
    stream_event_count: events,
    ...(error ? { error } : {}),
    ...(rest.cwd ? { cwd: rest.cwd, git_branch: rest.git_branch } : {}),
  };
}

/** Stream event rows of exchange `id`, `t_ms` 10 apart; a string datum is sent as is. */
export function eventRows(id: string, events: (Row | string)[]): { event: string; data: string; t_ms: number }[] {
  return events.map((data, i) => ({
    exchange_id: id,
    kind: "stream_event",
    t_ms: 100 + i * 10,
    event: typeof data === "string" ? "message" : data.type ?? "message",
    data: typeof data === "string" ? data : JSON.stringify(data),
  }));
}

/** The Anthropic SSE events of an answer: thinking (optional), then `blocks`, then the usage deltas. */
export function anthropicEvents(
  opts: {
    id: string;
    model: string;
    blocks: Row[];
    stop: string | null;
    usage: Row;
    deltas?: Row[];
    stopEvent?: boolean;
  },
): Row[] {
  const events: Row[] = [{
    type: "message_start",
    message: { id: opts.id, type: "message", role: "assistant", model: opts.model, content: [], usage: opts.usage },
  }, { type: "ping" }];
  opts.blocks.forEach((block, index) => {
    if (block.type === "tool_use") {
      events.push({ type: "content_block_start", index, content_block: { ...block, input: {} } });
      const json = JSON.stringify(block.input);
      events.push({
        type: "content_block_delta",
        index,
        delta: { type: "input_json_delta", partial_json: json.slice(0, 7) },
      });
      events.push({
        type: "content_block_delta",
        index,
        delta: { type: "input_json_delta", partial_json: json.slice(7) },
      });
    } else if (block.type === "thinking") {
      events.push({
        type: "content_block_start",
        index,
        content_block: { type: "thinking", thinking: "", signature: "" },
      });
      events.push({ type: "content_block_delta", index, delta: { type: "thinking_delta", thinking: block.thinking } });
      events.push({
        type: "content_block_delta",
        index,
        delta: { type: "signature_delta", signature: block.signature },
      });
    } else {
      events.push({ type: "content_block_start", index, content_block: { type: "text", text: "" } });
      const half = Math.ceil(block.text.length / 2);
      events.push({
        type: "content_block_delta",
        index,
        delta: { type: "text_delta", text: block.text.slice(0, half) },
      });
      events.push({ type: "content_block_delta", index, delta: { type: "text_delta", text: block.text.slice(half) } });
    }
    events.push({ type: "content_block_stop", index });
  });
  if (opts.stop !== null) {
    for (const usage of opts.deltas ?? [{ output_tokens: 20 }]) {
      events.push({ type: "message_delta", delta: { stop_reason: opts.stop, stop_sequence: null }, usage });
    }
  }
  if (opts.stopEvent !== false && opts.stop !== null) events.push({ type: "message_stop" });
  return events;
}

/** Writes `rows` as `<root>/<gw>/proxy/<date>.jsonl`. */
export async function writeProxyDay(root: string, gw: string, date: string, rows: Row[]): Promise<string> {
  const dir = path.join(root, gw, "proxy");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${date}.jsonl`);
  await writeFile(file, rows.map((r) => JSON.stringify(r) + "\n").join(""));
  return file;
}

/** A config file recording into `<dir>/data`; returns its path. */
export async function writeConfig(dir: string): Promise<string> {
  const file = path.join(dir, "collectivus.json");
  await writeFile(
    file,
    JSON.stringify({ version: 1, gateway_id: "gw", sink: { type: "file", dir: path.join(dir, "data") } }),
  );
  return file;
}
