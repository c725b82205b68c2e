/**
 * The provider-neutral shape one exchange is reduced to before `proxy_messages` rows are made: who, which model,
 * the system text and tools, and the messages of the request history followed by the assistant's answer, each with
 * its parts already mapped to the row columns.
 *
 * @module
 */

/** One content part, mapped to the part columns of reference §6.2. */
export interface Part {
  part_type: string;
  content_text: string | null;
  tool_name: string | null;
  tool_call_id: string | null;
  tool_args: unknown;
  thinking_signature: string | null;
  status: Record<string, unknown> | null;
  /** A tool result whose tool name is looked up by `tool_call_id`. */
  lookupTool?: boolean;
}

/** One message of the history, or the assistant's answer. */
export interface Message {
  role: string;
  /** What the message id hashes (Anthropic: the raw content; OpenAI: the mapped parts). */
  hashContent: unknown;
  parts: Part[];
  /** The mapped finish reason (answers only). */
  finishReason?: string;
  /** `attributes.usage` (answers only). */
  usage?: Record<string, unknown>;
}

/** One exchange, reduced. */
export interface Turn {
  provider: string;
  model: string | null;
  systemText: string | null;
  tools: unknown;
  conversationId: string;
  userId: string | null;
  /** `attributes.request` and `attributes.provider_raw`. */
  request: Record<string, unknown>;
  providerRaw: Record<string, unknown>;
  clientVersion: string | null;
  messages: Message[];
}

/** A part with every column empty but the type. */
export function part(part_type: string, fields: Partial<Part> = {}): Part {
  return {
    part_type,
    content_text: null,
    tool_name: null,
    tool_call_id: null,
    tool_args: null,
    thinking_signature: null,
    status: null,
    ...fields,
  };
}

/** Keeps only the keys whose value is not undefined; undefined when none is left. */
export function compact(record: Record<string, unknown>): Record<string, unknown> | undefined {
  const out = Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
  return Object.keys(out).length ? out : undefined;
}

/** A string, or null. */
export function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}
