/** @jsxImportSource preact */
/**
 * A long text shown as its first few lines with a control to show all of it (a system prompt, a system reminder).
 * It opens by itself when it holds the conversation search's match in focus.
 *
 * @module
 */
/// <reference lib="dom" />
import { useContext, useState } from "preact/hooks";
import { count } from "../format.ts";
import { contains, CurrentMatch, Highlighted, SearchQuery } from "./highlight.tsx";

/** Whether `text` is longer than `lines` lines (or their worth of characters). */
function long(text: string, lines: number): boolean {
  return text.length > lines * 160 || text.split("\n").length > lines + 1;
}

/** `text`, cut to `lines` lines until opened; `label` (if any) names what it is. */
export function Collapsed({ text, lines = 4, label }: { text: string; lines?: number; label?: string }) {
  const [open, setOpen] = useState(false);
  const query = useContext(SearchQuery);
  const focus = useContext(CurrentMatch) && contains(text, query);
  if (!long(text, lines)) {
    return (
      <div class="collapsible">
        {label && <span class="fold-label">{label}</span>}
        <div class="text">
          <Highlighted text={text} />
        </div>
      </div>
    );
  }
  const shown = open || focus;
  return (
    <div class={`collapsible ${shown ? "open" : "folded"}`} data-testid="collapsible">
      {label && <span class="fold-label">{label}</span>}
      <div class="text" style={shown ? {} : { "--lines": String(lines) }}>
        <Highlighted text={text} />
      </div>
      <button type="button" class="link fold" aria-expanded={shown} onClick={() => setOpen(!shown)}>
        {shown ? "Show less" : `Show all (${count(text.split("\n").length)} lines, ${count(text.length)} characters)`}
      </button>
    </div>
  );
}

const REMINDER = /<system-reminder>([\s\S]*?)<\/system-reminder>/g;

/**
 * A message's text: a system or developer message folded whole; in others, each `<system-reminder>` block (which
 * Claude Code adds to user messages) folded to its first line.
 */
export function MessageText({ text, role }: { text: string; role: string }) {
  if (role === "system" || role === "developer") return <Collapsed text={text} />;
  const pieces: { text: string; reminder: boolean }[] = [];
  let at = 0;
  for (const match of text.matchAll(REMINDER)) {
    if (match.index > at) pieces.push({ text: text.slice(at, match.index), reminder: false });
    // Folded to its first line of content: the tags themselves say nothing.
    pieces.push({ text: match[1].replace(/^\s+|\s+$/g, ""), reminder: true });
    at = match.index + match[0].length;
  }
  if (pieces.length === 0) {
    return (
      <div class="text">
        <Highlighted text={text} />
      </div>
    );
  }
  if (at < text.length) pieces.push({ text: text.slice(at), reminder: false });
  return (
    <>
      {pieces.map((piece, i) =>
        piece.reminder
          ? <Collapsed key={i} text={piece.text} lines={1} label="system reminder" />
          : piece.text.trim() && (
            <div key={i} class="text">
              <Highlighted text={piece.text.replace(/^\n+|\n+$/g, "")} />
            </div>
          )
      )}
    </>
  );
}
