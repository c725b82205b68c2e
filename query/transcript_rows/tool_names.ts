/**
 * The names of the tool calls of a transcript still waiting for their result, so a tool result's row can name its
 * tool (the result only carries the call id). Bounded and serializable: it is part of a transcript's saved state.
 *
 * @module
 */

/** Calls remembered at most; a session rarely has more than a few open at once. */
export const MAX_OPEN_CALLS = 256;

/**
 * Open tool calls by id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const names = new ToolNames();
 * names.remember("toolu_1", "Bash");
 * assert.equal(names.take("toolu_1"), "Bash");
 * assert.equal(names.take("toolu_1"), null);
 * assert.deepEqual(new ToolNames([["a", "Read"]]).toJSON(), [["a", "Read"]]);
 * ```
 */
export class ToolNames {
  readonly #names: Map<string, string>;

  /** `entries` as {@linkcode toJSON} gave them. */
  constructor(entries: readonly [string, string][] = []) {
    this.#names = new Map(entries);
  }

  /** Remembers a call; the oldest open call is forgotten past {@linkcode MAX_OPEN_CALLS}. */
  remember(id: string | null, name: string | null): void {
    if (!id || !name) return;
    this.#names.delete(id);
    this.#names.set(id, name);
    if (this.#names.size > MAX_OPEN_CALLS) this.#names.delete(this.#names.keys().next().value!);
  }

  /** The name of call `id`, which is then closed; null when unknown. */
  take(id: string | null): string | null {
    if (!id) return null;
    const name = this.#names.get(id) ?? null;
    this.#names.delete(id);
    return name;
  }

  /** The open calls, oldest first. */
  toJSON(): [string, string][] {
    return [...this.#names];
  }
}
