/**
 * `deno task bench sse`: the proxy recorder's SSE parser (`server/proxy/sse_parser.ts`: `eventsource-parser` behind
 * a streaming TextDecoder, events collected per chunk) against `eventsource-parser` called directly, on the same
 * bytes: Anthropic and OpenAI Responses streams in the wire format the fake upstream speaks (thinking, text, tool
 * calls), one chunk per event as the APIs write them and in 16 KiB network reads, with LF and with CRLF line breaks;
 * and one 16 MiB `data:` line arriving in 1 KiB chunks (the case that was quadratic). It shows what the recorder's
 * decoding and event objects cost on top of the library. (The hand-written parser the recorder had before was
 * measured against the library with this bench, and was slower: docs/proxy.md.) Cases run interleaved for several
 * rounds and report their median round, so load from elsewhere on the machine does not land on one case only.
 *
 * @module
 */
import { createParser } from "eventsource-parser";
import { SseParser } from "../../server/sse_parser.ts";
import { anthropicMessages } from "../../tests/fixtures/fake_upstream_anthropic.ts";
import { openaiResponses } from "../../tests/fixtures/fake_upstream_openai.ts";
import { measure } from "./_measure.ts";
import type { BenchResult } from "./_table.ts";

const ROUNDS = 7;
const enc = new TextEncoder();

/** One input: its chunks and the events both parsers must find in them. */
interface Input {
  name: string;
  chunks: Uint8Array[];
  bytes: number;
}

/** The events of agent streams, one string per write of the upstream, about `bytes` in all. */
function agentStreams(bytes: number): string[] {
  const tools = [{ name: "Bash", input_schema: { type: "object" } }];
  const bodies = [
    anthropicMessages(JSON.stringify({ stream: true, thinking: { type: "enabled" }, tools, messages: [] }), "tool"),
    anthropicMessages(JSON.stringify({ stream: true, messages: [] }), "text"),
    openaiResponses(JSON.stringify({ stream: true, tools: [{ type: "function", name: "shell" }], input: [] }), null),
    openaiResponses(JSON.stringify({ stream: true, input: [] }), null),
  ].map((script) => script.chunks);
  const out: string[] = [];
  for (let size = 0, i = 0; size < bytes; i++) {
    for (const chunk of bodies[i % bodies.length]) {
      out.push(chunk);
      size += chunk.length;
    }
  }
  return out;
}

/** `text` cut into `size`-byte reads, as a socket would hand it over. */
function reads(text: string, size: number): Uint8Array[] {
  const bytes = enc.encode(text);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

function inputs(): Input[] {
  const events = agentStreams(24e6);
  const lf = events.join("");
  const crlf = lf.replaceAll("\n", "\r\n");
  const longLine = reads(`data: ${"x".repeat(16 * 2 ** 20)}\n\n`, 1024);
  return [
    { name: "agent streams, a chunk per event", chunks: events.map((e) => enc.encode(e)), bytes: 0 },
    { name: "agent streams, 16 KiB reads", chunks: reads(lf, 16384), bytes: 0 },
    { name: "agent streams CRLF, 16 KiB reads", chunks: reads(crlf, 16384), bytes: 0 },
    { name: "one 16 MiB line, 1 KiB reads", chunks: longLine, bytes: 0 },
  ].map((input) => ({ ...input, bytes: input.chunks.reduce((n, c) => n + c.byteLength, 0) }));
}

/** The parsers compared; each returns the number of events and the total length of their data. */
const PARSERS: Record<string, (chunks: Uint8Array[]) => [number, number]> = {
  "eventsource-parser": (chunks) => {
    let events = 0;
    let length = 0;
    const parser = createParser({
      onEvent: (e) => {
        events++;
        length += e.data.length;
      },
    });
    const decoder = new TextDecoder();
    for (const chunk of chunks) parser.feed(decoder.decode(chunk, { stream: true }));
    return [events, length];
  },
  "SseParser": (chunks) => {
    let events = 0;
    let length = 0;
    const parser = new SseParser();
    for (const chunk of chunks) {
      for (const e of parser.push(chunk)) {
        events++;
        length += e.data.length;
      }
    }
    return [events, length];
  },
};

/** Runs every parser on every input, interleaved round by round; reports each case's median round. */
export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const input of inputs()) {
    const names = Object.keys(PARSERS);
    const times = new Map<string, number[]>(names.map((n) => [n, []]));
    const peaks = new Map<string, number>();
    const found = new Map<string, string>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of round % 2 === 0 ? names : [...names].reverse()) {
        let counted: [number, number] = [0, 0];
        const m = await measure(() => {
          counted = PARSERS[name](input.chunks);
          return Promise.resolve();
        });
        times.get(name)!.push(m.seconds);
        peaks.set(name, Math.max(peaks.get(name) ?? 0, m.peakRssBytes));
        found.set(name, counted.join("/"));
      }
    }
    if (new Set(found.values()).size !== 1) {
      throw new Error(`The parsers disagree on "${input.name}": ${JSON.stringify(Object.fromEntries(found))}`);
    }
    const events = Number(found.get(names[0])!.split("/")[0]);
    for (const name of names) {
      const sorted = times.get(name)!.sort((a, b) => a - b);
      results.push({
        benchmark: "sse",
        case: `${name}: ${input.name}`,
        rows: events,
        bytes: input.bytes,
        seconds: sorted[Math.floor(sorted.length / 2)],
        peakRssBytes: peaks.get(name)!,
        ...(name === names[0] ? {} : { baseline: `${names[0]}: ${input.name}` }),
      });
    }
  }
  return results;
}
