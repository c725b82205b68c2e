/**
 * The `proxy_messages` walk over one gateway's day (reference §6.1 step 4): each exchange's request history plus its
 * answer, one row per content part, a message emitted only the first time its id is seen (this day or, through
 * `priorSeen`, an earlier one), `previous_message_id` chaining each request's history, tool names filled in from the
 * tool calls seen.
 *
 * @module
 */
import type { Bundle } from "./bundles.ts";
import { transcriptSessionOf } from "../transcripts.ts";
import { contextOf, type ExchangeContext, type TranscriptEntry } from "./context.ts";
import { MessageIds } from "./message_ids.ts";
import { SHARED_ID } from "../dataset.ts";
import type { SharedColumns } from "./shared_columns.ts";
import { compact, type Turn } from "./turn.ts";
import { requestBody, turnOf } from "./wire.ts";

/** The `proxy_messages` schema version (reference §6). */
export const SCHEMA_VERSION = 2;

/** One `proxy_messages` row, without `gateway_id` and `date`. */
export type MessageRow = Record<string, unknown>;

/** What earlier days already produced: their message ids and tool names. */
export interface PriorSeen {
  messageIds: Set<string>;
  toolNames: Map<string, string>;
}

/** Options of {@linkcode MessageWalker}. */
export interface WalkerOptions {
  priorSeen?: PriorSeen;
  /** The Claude Code transcript entry of a session nearest to a time (an ISO `ts_start`), if transcripts are read. */
  transcript?: (sessionId: string, at: string) => TranscriptEntry | undefined;
}

/** An exchange parsed once: its body, its turn, its context without a transcript, and the Claude Code session whose
 * transcript would fill in what that context lacks. */
export interface ReadExchange {
  bundle: Bundle;
  // deno-lint-ignore no-explicit-any
  body: Record<string, any> | undefined;
  turn: Turn;
  context: ExchangeContext;
  transcriptSession?: string;
}

/** Parses an exchange for {@linkcode MessageWalker.rows}; undefined when its body is not a JSON object. */
export function readExchange(bundle: Bundle): ReadExchange | undefined {
  const body = requestBody(bundle);
  const turn = turnOf(bundle, body);
  if (!turn) return undefined;
  const context = contextOf(bundle.exchange, body);
  const transcriptSession = turn.provider === "anthropic"
    ? transcriptSessionOf(bundle.exchange, body, context)
    : undefined;
  return { bundle, body, turn, context, transcriptSession };
}

/**
 * Walks exchanges in order and returns the rows each one adds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const body = JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] });
 * const exchange = { exchange_id: "e", kind: "exchange", ts_start: "2025-03-01T00:00:00.000Z", duration_ms: 5,
 *   request: { path: "/v1/messages", body } };
 * const walker = new MessageWalker();
 * const rows = walker.exchange({ exchange, events: [] });
 * assert.deepEqual(rows.map((r) => [r.role, r.part_type, r.content_text]), [["user", "text", "hi"]]);
 * assert.equal(walker.exchange({ exchange, events: [] }).length, 0);
 * ```
 */
export class MessageWalker {
  readonly #seen: Set<string>;
  readonly #tools: Map<string, string>;
  readonly #started = new Map<string, string>();
  readonly #ids = new MessageIds();
  readonly #transcript: WalkerOptions["transcript"];

  constructor(options: WalkerOptions = {}) {
    this.#seen = new Set(options.priorSeen?.messageIds);
    this.#tools = new Map(options.priorSeen?.toolNames);
    this.#transcript = options.transcript;
  }

  /** The rows `bundle` adds (none for an exchange whose body is not a JSON object). */
  exchange(bundle: Bundle): MessageRow[] {
    const read = readExchange(bundle);
    return read ? this.rows(read) : [];
  }

  /** The rows of an exchange read by {@linkcode readExchange} (its transcript loaded first, if it needs one). */
  rows(read: ReadExchange): MessageRow[] {
    const { base, parts } = this.#walk(read);
    return parts.map((part) => ({ ...base, ...part }));
  }

  /**
   * The same rows as {@linkcode rows}, as JSON lines: the columns every row of the exchange shares are serialized
   * once, not once per part, and the system text and tools (often tens of kilobytes) are left to `shared`, which
   * gives the line their `shared_id`.
   */
  lines(read: ReadExchange, shared: SharedColumns): string[] {
    const { base, parts } = this.#walk(read);
    if (!parts.length) return [];
    const { system_text, tools, ...rest } = base;
    const head = JSON.stringify({ ...rest, [SHARED_ID]: shared.idOf({ system_text, tools }) }).slice(0, -1) + ",";
    return parts.map((part) => head + JSON.stringify(part).slice(1));
  }

  #walk(read: ReadExchange): { base: MessageRow; parts: MessageRow[] } {
    const { bundle, body, turn } = read;
    const { exchange } = bundle;
    const tsStart = String(exchange.ts_start ?? "");
    const session = read.transcriptSession;
    const transcript = session && this.#transcript ? this.#transcript(session, tsStart) : undefined;
    const ctx = transcript ? contextOf(exchange, body, transcript) : read.context;
    if (!this.#started.has(turn.conversationId)) this.#started.set(turn.conversationId, tsStart);
    const attributes = {
      request: Object.keys(turn.request).length ? turn.request : undefined,
      provider_raw: Object.keys(turn.providerRaw).length ? turn.providerRaw : undefined,
      timing: compact({ latency_ms: exchange.duration_ms }),
      client: compact({
        [ctx.conversation_source === "codex" ? "codex_version" : "claude_version"]: ctx.client_version ?? undefined,
      }),
    };
    const base = {
      schema_version: SCHEMA_VERSION,
      conversation_id: turn.conversationId,
      user_id: turn.userId,
      provider: turn.provider,
      model: turn.model,
      system_text: turn.systemText,
      tools: turn.tools,
      conversation_started_at: this.#started.get(turn.conversationId),
      conversation_source: ctx.conversation_source,
      cwd: ctx.cwd,
      git_branch: ctx.git_branch,
    };
    const rows: MessageRow[] = [];
    let previous: string | null = null;
    const ids = this.#ids.idsOf(turn.conversationId, turn.messages);
    turn.messages.forEach((message, index) => {
      if (message.role === "") return;
      const id = ids[index];
      if (this.#seen.has(id)) {
        previous = id;
        return;
      }
      const attrs = compact({ ...attributes, usage: message.usage }) ?? null;
      message.parts.forEach((p, partIndex) => {
        if (p.part_type === "tool_call" && p.tool_call_id && p.tool_name) this.#tools.set(p.tool_call_id, p.tool_name);
        const toolName = p.tool_name ??
          (p.lookupTool && p.tool_call_id ? this.#tools.get(p.tool_call_id) ?? null : null);
        const last = partIndex === message.parts.length - 1 && message.finishReason !== undefined;
        rows.push({
          message_id: id,
          previous_message_id: previous,
          message_index: index,
          message_created_at: tsStart,
          role: message.role,
          part_id: `${id}#${partIndex}`,
          part_index: partIndex,
          part_type: p.part_type,
          content_text: p.content_text,
          tool_name: toolName,
          tool_call_id: p.tool_call_id,
          tool_args: p.tool_args,
          thinking_signature: p.thinking_signature,
          status: last ? { ...(p.status ?? {}), finish_reason: message.finishReason } : p.status,
          attributes: attrs,
        });
      });
      this.#seen.add(id);
      previous = id;
    });
    return { base, parts: rows };
  }
}
