/**
 * The message ids of each request's messages (reference §6.1: the first 16 hex of
 * `sha256("<conversation_id>:<role>:<canonicalJson(content)>")`). Each request repeats its conversation's history, so
 * most of its messages were in the conversation's previous request: those are recognized by their JSON text (one
 * native serialization and a map lookup) instead of sorting their keys and hashing again. Only the previous request
 * of each conversation is kept, and only while their texts stay under a bound, so the memory does not grow with the
 * day. A message not found there (new, or its conversation's texts were dropped) is looked up by a digest of its text,
 * kept for every message of the day (a few dozen bytes each), and only a message never seen gets its id computed.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { canonicalJson, shortHash } from "./canonical_json.ts";

/**
 * The JSON text of the requests kept, in UTF-16 code units: a few conversations' histories. Kept text is live heap,
 * and V8 lets the heap grow to a multiple of what is live, so this is small.
 */
export const KEPT_CHARS = 4 * 1024 * 1024;

/** Role, then the JSON text of a message's content, to the message id. */
type Ids = Map<string, Map<string, string>>;

/**
 * Message ids, remembering each conversation's previous request.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const ids = new MessageIds();
 * const first = ids.idsOf("c", [{ role: "user", hashContent: "hi" }]);
 * const next = ids.idsOf("c", [{ role: "user", hashContent: "hi" }, { role: "", hashContent: null }]);
 * assert.deepEqual(next, [first[0], ""]);
 * assert.equal(first[0], new MessageIds().idsOf("c", [{ role: "user", hashContent: "hi" }])[0]);
 * // Texts kept for no conversation: found by their digest.
 * const none = new MessageIds(0);
 * none.idsOf("c", [{ role: "user", hashContent: "hi" }]);
 * assert.deepEqual(none.idsOf("d", []), []);
 * assert.deepEqual(none.idsOf("c", [{ role: "user", hashContent: "hi" }]), first);
 * ```
 */
export class MessageIds {
  // Conversation id to its last request's ids, least recently used first.
  readonly #last = new Map<string, { ids: Ids; chars: number }>();
  // A digest of "<conversation>:<role>:<text>" to the id, for every message seen.
  readonly #digests = new Map<string, string>();
  readonly #keptChars: number;
  #chars = 0;

  /** `keptChars` bounds the texts kept (default {@linkcode KEPT_CHARS}). */
  constructor(keptChars = KEPT_CHARS) {
    this.#keptChars = keptChars;
  }

  /** The ids of one request's messages, in order ("" for a message without a role). */
  idsOf(conversationId: string, messages: readonly { role: string; hashContent: unknown }[]): string[] {
    const previous = this.#last.get(conversationId);
    if (previous) {
      this.#last.delete(conversationId);
      this.#chars -= previous.chars;
    }
    const current: Ids = new Map();
    let chars = 0;
    const ids = messages.map(({ role, hashContent }) => {
      if (role === "") return "";
      const text = JSON.stringify(hashContent) ?? "";
      let byText = current.get(role);
      if (!byText) current.set(role, byText = new Map());
      let id = previous?.ids.get(role)?.get(text) ?? byText.get(text);
      if (id === undefined) {
        const digest = createHash("sha1").update(`${conversationId}:${role}:`).update(text).digest("base64");
        id = this.#digests.get(digest);
        if (id === undefined) {
          id = shortHash(`${conversationId}:${role}:${canonicalJson(hashContent)}`);
          this.#digests.set(digest, id);
        }
      }
      if (!byText.has(text)) {
        byText.set(text, id);
        chars += text.length;
      }
      return id;
    });
    this.#last.set(conversationId, { ids: current, chars });
    this.#chars += chars;
    for (const [conversation, kept] of this.#last) {
      if (this.#chars <= this.#keptChars || conversation === conversationId) break;
      this.#last.delete(conversation);
      this.#chars -= kept.chars;
    }
    return ids;
  }
}
