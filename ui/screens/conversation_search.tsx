/** @jsxImportSource preact */
/**
 * The conversation's own search: the server looks through every part (not only those drawn, which the browser's
 * find is limited to), the page adds what the system prompt and the tools hold, and the matches are visited one by
 * one (Enter, Shift+Enter, the arrows). Beside it, "Show all" draws every message at once.
 *
 * @module
 */
/// <reference lib="dom" />
import { useState } from "preact/hooks";
import { get, type Row } from "../api.ts";
import { count } from "../format.ts";
import { contextMatches } from "./conversation_context.tsx";

/** A match: the key of the part (or `system:<i>`, `tools:<i>`) and, for a part, its place in the parts' order. */
export interface Match {
  key: string;
  ordinal?: number;
}

/** The search's state and its moves. */
export interface ConversationSearch {
  /** The query searched for (empty: none). */
  query: string;
  matches: Match[];
  index: number;
  current: Match | undefined;
  /** Grows on every move, so a match visited again is brought into view again. */
  visit: number;
  /** The server found more matches than it lists. */
  more: boolean;
  busy: boolean;
  error: string | undefined;
  run(query: string): void;
  step(delta: number): void;
}

/** The search over the conversation at `base`, whose context rows (system prompt, tools) are `context`. */
export function useConversationSearch(base: string, context: Row[]): ConversationSearch {
  const [query, setQuery] = useState("");
  const [matches, setMatches] = useState<Match[]>([]);
  const [index, setIndex] = useState(0);
  const [visit, setVisit] = useState(0);
  const [more, setMore] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const run = async (q: string) => {
    setQuery(q);
    setMatches([]);
    setError(undefined);
    if (!q) return;
    setBusy(true);
    try {
      const found = await get<{ matches: Row[]; more: boolean }>(`${base}/search`, { q });
      const parts = found.matches.map((m) => ({ key: `${m.message_id}:${m.part_index}`, ordinal: m.ordinal }));
      setMatches([...contextMatches(context, q).map((key) => ({ key })), ...parts]);
      setMore(found.more);
      setIndex(0);
      setVisit((v) => v + 1);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const step = (delta: number) => {
    if (!matches.length) return;
    setIndex((i) => (i + delta + matches.length) % matches.length);
    setVisit((v) => v + 1);
  };
  return { query, matches, index, current: matches[index], visit, more, busy, error, run, step };
}

/** The search box, its position among the matches, and "Show all" (absent once all is drawn). */
export function SearchBar(
  { search, showAll, messages, loading }: {
    search: ConversationSearch;
    showAll: (() => void) | undefined;
    messages: number;
    loading: boolean;
  },
) {
  const [text, setText] = useState("");
  const n = search.matches.length;
  const status = search.busy
    ? "Searching…"
    : search.error
    ? search.error
    : search.query
    ? n ? `${count(search.index + 1)} of ${count(n)}${search.more ? "+" : ""}` : "no match"
    : "";
  return (
    <form
      class="conversation-tools"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        const q = text.trim();
        if (q && q === search.query) search.step(1);
        else search.run(q);
      }}
    >
      <input
        type="search"
        value={text}
        placeholder="Search the whole conversation"
        aria-label="Search the whole conversation"
        data-testid="conversation-search"
        onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && e.shiftKey) {
            e.preventDefault();
            search.step(-1);
          }
        }}
      />
      <button type="submit">Find</button>
      <button type="button" aria-label="previous match" disabled={n < 2} onClick={() => search.step(-1)}>↑</button>
      <button type="button" aria-label="next match" disabled={n < 2} onClick={() => search.step(1)}>↓</button>
      <span class={`muted ${search.error ? "bad" : ""}`} data-testid="search-status" aria-live="polite">{status}</span>
      {showAll && (
        <button type="button" class="show-all" data-testid="show-all" disabled={loading} onClick={showAll}>
          Show all {count(messages)} messages
        </button>
      )}
    </form>
  );
}
