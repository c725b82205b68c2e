/**
 * Reads a Server-Sent Events body as it streams: the events each chunk completes, together (so a consumer writes
 * them in one batch), with an idle deadline so a supervisor that stopped sending (not even a heartbeat or a
 * keepalive comment) is noticed and reconnected.
 *
 * @module
 */
import { type SseEvent, SseParser } from "../sse_parser.ts";

/** The stream sent nothing, not even a comment, for longer than its idle deadline. */
export class StreamIdleError extends Error {
  constructor(idleMs: number) {
    super(`Cannot keep reading the stream: nothing arrived for ${Math.round(idleMs / 1000)} s`);
    this.name = "StreamIdleError";
  }
}

/** Options of {@linkcode readSse}. */
export interface ReadSseOptions {
  /** Longest silence tolerated (any byte counts, keepalive comments included). */
  idleMs: number;
  /** Stops the reading: the generator then returns. */
  signal?: AbortSignal;
  /** Called for every chunk that arrived (a keepalive comment too), before its events are yielded. */
  onChunk?(bytes: number): void;
}

/**
 * Yields the events of an SSE body, the ones each chunk completed as one array, until it ends, `signal` aborts
 * (returns) or it stays silent past `idleMs` (throws {@linkcode StreamIdleError}). A read error (a connection reset
 * mid-stream) is thrown as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const body = new Response("id: 7\nevent: event\ndata: {\"seq\":7}\n\n: keepalive\n\n").body!;
 * const events = [];
 * for await (const batch of readSse(body, { idleMs: 1000 })) events.push(...batch);
 * assert.deepEqual(events, [{ event: "event", data: '{"seq":7}', id: "7" }]);
 * ```
 */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  options: ReadSseOptions,
): AsyncGenerator<SseEvent[]> {
  const reader = body.getReader();
  const parser = new SseParser();
  let idle = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle = true;
      reader.cancel().catch(() => {});
    }, options.idleMs);
  };
  const abort = () => void reader.cancel().catch(() => {});
  options.signal?.addEventListener("abort", abort, { once: true });
  try {
    if (options.signal?.aborted) return;
    arm();
    while (true) {
      const { done, value } = await reader.read();
      if (idle) throw new StreamIdleError(options.idleMs);
      if (done || options.signal?.aborted) return;
      arm();
      options.onChunk?.(value.byteLength);
      const events = parser.push(value);
      if (events.length > 0) yield events;
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", abort);
    // Also when the consumer stops early: the connection is closed, not left open.
    reader.cancel().catch(() => {});
  }
}
