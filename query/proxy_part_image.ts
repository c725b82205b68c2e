/**
 * The image of one `proxy_messages` part, read back from the raw exchange that first carried its message: the row
 * keeps no image data, but it names its day file, the exchange's start (`message_created_at`), the conversation and
 * the part's place in the request (`message_index`, `part_index`), which map one to one onto the request's messages
 * and their content blocks (as the walker maps them).
 *
 * @module
 */
import { proxyDayFile } from "./proxy_exchange.ts";
import { imageOfBlock, type RecordedImage } from "./proxy_images.ts";
import { normalizedContent } from "./proxy_messages/anthropic_turn.ts";
import { readLines } from "./proxy_messages/read_lines.ts";
import { apiOf, requestBody, turnOf } from "./proxy_messages/wire.ts";

/** Where a part is. */
export interface PartPlace {
  gatewayId: string;
  /** The day file (`YYYY-MM-DD`). */
  date: string;
  /** The start of the exchange that first carried the message (its `message_created_at`), as an ISO instant. */
  tsStart: string;
  conversationId: string;
  messageIndex: number;
  partIndex: number;
}

// deno-lint-ignore no-explicit-any
type Json = any;

/**
 * The content block of part `partIndex` of message `messageIndex` of a request body to `api`'s path: Anthropic
 * messages' content blocks, Responses input items' content, Chat messages' content, in the walker's order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const image = { type: "input_image", image_url: "data:image/png;base64,AA==" };
 * const body = { input: [{ role: "user", content: [{ type: "input_text", text: "see" }, image] }] };
 * assert.equal(partBlock("/v1/responses", body, 0, 1), image);
 * assert.equal(partBlock("/v1/messages", { messages: [{ role: "user", content: "hi" }] }, 0, 0).text, "hi");
 * ```
 */
export function partBlock(path: string, body: Json, messageIndex: number, partIndex: number): Json {
  const api = apiOf(path);
  if (api === "responses") {
    const item = Array.isArray(body.input) ? body.input[messageIndex] : undefined;
    return Array.isArray(item?.content) ? item.content[partIndex] : undefined;
  }
  if (api === "chat_completions") {
    const message = Array.isArray(body.messages) ? body.messages[messageIndex] : undefined;
    return message?.role !== "tool" && Array.isArray(message?.content) ? message.content[partIndex] : undefined;
  }
  const message = Array.isArray(body.messages) ? body.messages[messageIndex] : undefined;
  return normalizedContent(message?.content)[partIndex];
}

/**
 * Reads the image of the part at `place` under `root`: undefined when no exchange of the conversation started then,
 * or its block there is not an image. Only lines naming the start time are parsed. Throws a `RangeError` for a
 * gateway or date that cannot name a recording.
 */
export async function readPartImage(root: string, place: PartPlace): Promise<RecordedImage | undefined> {
  const file = proxyDayFile(root, place.gatewayId, place.date);
  const needle = `"ts_start":"${place.tsStart}"`;
  try {
    for await (const line of readLines(file)) {
      if (!line.text.includes(needle)) continue;
      let row;
      try {
        row = JSON.parse(line.text);
      } catch {
        continue;
      }
      if (row?.kind !== "exchange" || row.ts_start !== place.tsStart) continue;
      const bundle = { exchange: row, events: [] };
      const body = requestBody(bundle);
      if (!body || turnOf(bundle, body)?.conversationId !== place.conversationId) continue;
      const image = imageOfBlock(partBlock(String(row.request?.path ?? ""), body, place.messageIndex, place.partIndex));
      if (image) return image;
    }
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOENT") throw error;
  }
  return undefined;
}
