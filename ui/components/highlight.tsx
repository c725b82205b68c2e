/** @jsxImportSource preact */
/**
 * The conversation search's marks: what is searched (a context every part reads), whether a part is the match in
 * focus, and text with each occurrence of the search marked.
 *
 * @module
 */
/// <reference lib="dom" />
import { createContext } from "preact";
import { useContext } from "preact/hooks";

/** The search of the conversation in view (empty: none). */
export const SearchQuery = createContext("");
/** True inside the part that holds the match in focus: its folds open and its marks are the current ones. */
export const CurrentMatch = createContext(false);

/**
 * Whether `text` contains `query`, ignoring case.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(contains("Hello World", "wor"), true);
 * assert.equal(contains("Hello", ""), false);
 * ```
 */
export function contains(text: string | null | undefined, query: string): boolean {
  return query !== "" && typeof text === "string" && text.toLowerCase().includes(query.toLowerCase());
}

/**
 * `text` cut around each occurrence of `query` (ignoring case): the pieces, the odd ones being the occurrences.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(splitMatches("a Cat and a cat", "cat"), ["a ", "Cat", " and a ", "cat", ""]);
 * ```
 */
export function splitMatches(text: string, query: string): string[] {
  if (!query) return [text];
  const lower = text.toLowerCase(), needle = query.toLowerCase();
  const pieces: string[] = [];
  let at = 0;
  for (let hit = lower.indexOf(needle); hit >= 0; hit = lower.indexOf(needle, at)) {
    pieces.push(text.slice(at, hit), text.slice(hit, hit + needle.length));
    at = hit + needle.length;
  }
  pieces.push(text.slice(at));
  return pieces;
}

/** `text` with the search's occurrences marked (`current` in the part in focus). */
export function Highlighted({ text }: { text: string }) {
  const query = useContext(SearchQuery);
  const current = useContext(CurrentMatch);
  if (!contains(text, query)) return <>{text}</>;
  return (
    <>
      {splitMatches(text, query).map((piece, i) =>
        i % 2 === 1 ? <mark key={i} class={current ? "current" : ""}>{piece}</mark> : piece
      )}
    </>
  );
}
