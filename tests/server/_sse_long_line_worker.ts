/**
 * Worker of sse_parser_test.ts: parses one 32 MiB `data:` line fed in 1 KiB chunks and posts what it got.
 */
import { SseParser } from "../../server/sse_parser.ts";

const parser = new SseParser();
const enc = new TextEncoder();
const piece = enc.encode("x".repeat(1024));
const events = [...parser.push(enc.encode("data: "))];
for (let i = 0; i < 32 * 1024; i++) events.push(...parser.push(piece));
events.push(...parser.push(enc.encode("\n\n")));
// A worker's global scope; the checked types are those of a window.
const scope = self as unknown as { postMessage(message: unknown): void };
scope.postMessage({ events: events.length, dataLength: events[0]?.data.length, last: events[0]?.data.at(-1) });
