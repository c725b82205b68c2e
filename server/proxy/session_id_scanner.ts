/**
 * The session id of a request body too large to hold: the body is forwarded as a stream, and its top-level
 * `metadata.user_id` (after `messages` in Claude Code's requests, so far beyond the recorded first bytes) is found as
 * the bytes pass, without keeping them. The proxy holds an exchange's rows until then, so that an ignored session is
 * never written.
 *
 * @module
 */
import { unrefTimer } from "../../platform/runtime.ts";
import { sessionIdOfUserId } from "./session_id.ts";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
/** Longer keys are not `metadata` nor `user_id`; a longer `user_id` is not Claude Code's. */
const MAX_KEY_BYTES = 16;
const MAX_USER_ID_BYTES = 64 * 1024;

/**
 * Scans a JSON body in chunks for its top-level `metadata.user_id` and the session id in it. Strings (nearly all of a
 * request's bytes) are skipped in a tight loop; only the structure is looked at.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const body = JSON.stringify({
 *   messages: [{ role: "user", content: 'a "user_id" in text, {"metadata":{"user_id":"x"}}' }],
 *   tools: [{ input_schema: { properties: { user_id: { type: "string" } } } }],
 *   metadata: { user_id: JSON.stringify({ device_id: "d", session_id: "s-42" }) },
 * });
 * const scanner = new SessionIdScanner();
 * const bytes = new TextEncoder().encode(body);
 * for (let at = 0; at < bytes.length; at += 7) scanner.push(bytes.subarray(at, at + 7));
 * assert.equal(scanner.done, true);
 * assert.equal(scanner.id, "s-42");
 * ```
 */
export class SessionIdScanner {
  #started = false;
  #done = false;
  #id: string | undefined;
  /** Open containers, innermost last: true for an object. */
  readonly #stack: boolean[] = [];
  #expectKey = false;
  #inString = false;
  #escape = false;
  /** The bytes of a key at depth 1 or in `metadata`, or of the `user_id` value, while one is read. */
  #capture: number[] | undefined;
  #captureIsKey = false;
  /** The last key read at depth 1 and 2. */
  readonly #keys: (string | undefined)[] = [];
  /** True inside the top-level `metadata` object. */
  #inMetadata = false;

  /** True once the id is found, or the body cannot hold one (not an object, or its end reached). */
  get done(): boolean {
    return this.#done;
  }

  /** The session id, once found. */
  get id(): string | undefined {
    return this.#id;
  }

  /** Reads the next bytes of the body. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    while (i < n && !this.#done) {
      if (this.#inString) {
        if (this.#escape) {
          this.#escape = false;
          if (this.#capture) this.#keep(chunk[i]);
          i++;
          continue;
        }
        if (this.#capture) {
          const b = chunk[i++];
          if (b === QUOTE) this.#endString();
          else {
            if (b === BACKSLASH) this.#escape = true;
            this.#keep(b);
          }
          continue;
        }
        // A tight loop: faster than indexOf when escapes are dense (code, quoted text), as fast otherwise.
        for (; i < n; i++) {
          const b = chunk[i];
          if (b === QUOTE) break;
          if (b === BACKSLASH && ++i === n) this.#escape = true;
        }
        if (i < n) {
          this.#inString = false;
          i++;
        }
        continue;
      }
      this.#structure(chunk[i++]);
    }
  }

  #structure(b: number): void {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) return;
    if (!this.#started) {
      this.#started = true;
      if (b !== OPEN_OBJECT) return this.#finish(undefined);
    }
    const stack = this.#stack;
    switch (b) {
      case QUOTE:
        return this.#startString();
      case OPEN_OBJECT:
        if (stack.length === 1 && this.#keys[1] === "metadata") this.#inMetadata = true;
        stack.push(true);
        this.#expectKey = true;
        this.#keys[stack.length] = undefined;
        return;
      case OPEN_ARRAY:
        stack.push(false);
        this.#expectKey = false;
        return;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        stack.pop();
        if (stack.length < 2) this.#inMetadata = false;
        this.#expectKey = false;
        if (stack.length === 0) this.#finish(undefined);
        return;
      case COMMA:
        this.#expectKey = stack[stack.length - 1] === true;
        return;
      case COLON:
        this.#expectKey = false;
        return;
    }
  }

  #startString(): void {
    this.#inString = true;
    const depth = this.#stack.length;
    const isKey = this.#expectKey && this.#stack[depth - 1] === true;
    const watched = depth === 1 || (depth === 2 && this.#inMetadata);
    if (isKey && watched) {
      this.#capture = [];
      this.#captureIsKey = true;
    } else if (!isKey && depth === 2 && this.#inMetadata && this.#keys[2] === "user_id") {
      this.#capture = [];
      this.#captureIsKey = false;
    }
  }

  #keep(b: number): void {
    const capture = this.#capture!;
    capture.push(b);
    if (capture.length <= (this.#captureIsKey ? MAX_KEY_BYTES : MAX_USER_ID_BYTES)) return;
    // Too long to be what is looked for: skip the rest of the string.
    this.#capture = undefined;
    if (this.#captureIsKey) this.#keys[this.#stack.length] = undefined;
  }

  #endString(): void {
    this.#inString = false;
    const bytes = this.#capture!;
    this.#capture = undefined;
    const text = new TextDecoder().decode(new Uint8Array(bytes));
    if (this.#captureIsKey) {
      this.#keys[this.#stack.length] = text;
      return;
    }
    let userId: unknown;
    try {
      userId = JSON.parse(`"${text}"`);
    } catch {
      userId = undefined;
    }
    this.#finish(typeof userId === "string" ? sessionIdOfUserId(userId) : undefined);
  }

  #finish(id: string | undefined): void {
    this.#done = true;
    this.#id = id;
  }
}

/** A request body being watched for its session id; see {@linkcode watchSessionId}. */
export interface WatchedBody {
  /** The body to forward in place of the original: the same bytes, read through the scanner. */
  body: ReadableStream<Uint8Array>;
  /**
   * Resolves with the session id once found, or with undefined once the body ended without one. Rejects with a
   * {@linkcode SessionUnknownError} when the body broke off (the client left) before the id passed.
   */
  sessionId: Promise<string | undefined>;
  /**
   * The exchange ended before the body did (the upstream answered early, or could not be reached): the rest of the
   * body still decides, for at most {@linkcode REST_OF_BODY_MS}. A body being forwarded decides as it ends; one nobody
   * reads is read here, for its id only.
   */
  settle(): void;
}

/**
 * How long the rest of a body is waited for once its exchange ended (or its upstream stopped taking it) before the
 * session counts as unknown. The server may never hand it over: Deno closes a connection whose request body was not
 * read to its end when the answer went out, and a read then waits for ever.
 */
export const REST_OF_BODY_MS = 5000;

/** The request body broke off before its session id passed: it may belong to an ignored session. */
export class SessionUnknownError extends Error {
  constructor(cause: unknown) {
    super("the request body broke off before its session id", { cause });
    this.name = "SessionUnknownError";
  }
}

/**
 * Forwards `body` through a {@linkcode SessionIdScanner}. The session is known when the id passes or the body ends,
 * also when the upstream stops taking the body (it answered early, or closed): the rest the client sends is then read
 * for the id alone.
 *
 * @param body A request body being forwarded as a stream.
 * @returns The body to forward, and its session id to come.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const text = JSON.stringify({ messages: [], metadata: { user_id: '{"session_id":"s-7"}' } });
 * const watched = watchSessionId(new Blob([text]).stream());
 * assert.equal(await new Response(watched.body).text(), text);
 * assert.equal(await watched.sessionId, "s-7");
 * ```
 */
export function watchSessionId(body: ReadableStream<Uint8Array>, restOfBodyMs = REST_OF_BODY_MS): WatchedBody {
  const scanner = new SessionIdScanner();
  let resolve!: (id: string | undefined) => void;
  let reject!: (error: Error) => void;
  const sessionId = new Promise<string | undefined>((yes, no) => (resolve = yes, reject = no));
  let decided = false;
  /** The body ended, or the id passed. */
  const known = () => {
    if (decided) return;
    decided = true;
    resolve(scanner.id);
  };
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const brokeOff = (error: unknown) => {
    if (decided) return;
    decided = true;
    reject(new SessionUnknownError(error));
  };
  /** From now on the rest of the body has `restOfBodyMs` to tell the session. */
  const waitForRest = () => {
    if (decided || deadline !== undefined) return;
    deadline = setTimeout(() => brokeOff(new Error("the rest of the body did not come in time")), restOfBodyMs);
    unrefTimer(deadline);
    sessionId.then(() => clearTimeout(deadline), () => clearTimeout(deadline));
  };
  const scan = (chunk: Uint8Array) => {
    if (scanner.done) return;
    scanner.push(chunk);
    if (scanner.done) known();
  };
  const reader = body.getReader();
  let readingRest = false;
  /** Reads what the client still sends, for the id alone: nobody forwards the body any more. */
  const readRest = async () => {
    if (readingRest) return;
    readingRest = true;
    try {
      while (!decided) {
        const { done, value } = await reader.read();
        if (done) return known();
        scan(value);
      }
      await reader.cancel();
    } catch (error) {
      brokeOff(error);
    }
  };
  const watched = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (err) {
        brokeOff(err);
        throw err;
      }
      if (result.done) {
        known();
        return controller.close();
      }
      scan(result.value);
      controller.enqueue(result.value);
    },
    cancel(reason) {
      if (decided) return reader.cancel(reason);
      // The upstream stopped taking the body: what the client still sends tells the session.
      waitForRest();
      void readRest();
    },
  }, { highWaterMark: 0 });
  const settle = () => {
    // A body being forwarded decides as it ends or breaks off; one nobody started to read is read here.
    waitForRest();
    if (!decided && !watched.locked) void readRest();
  };
  return { body: watched, sessionId, settle };
}
