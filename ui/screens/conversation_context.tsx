/** @jsxImportSource preact */
/**
 * What a conversation's requests offered the model, shown before its messages: the system prompt (each distinct one,
 * folded to a few lines) and the tools (a folded list: names and the first line of each description; a tool opens to
 * its whole description and input schema). The search finds text in them too: their matches come first.
 *
 * @module
 */
/// <reference lib="dom" />
import { useContext, useState } from "preact/hooks";
import type { Row } from "../api.ts";
import { Collapsed } from "../components/collapsed.tsx";
import { contains, CurrentMatch, Highlighted, SearchQuery } from "../components/highlight.tsx";
import { count, pretty, time } from "../format.ts";

/** One tool as offered, whatever the API's shape (Anthropic, Responses, Chat). */
export interface OfferedTool {
  name: string;
  description: string;
  schema: unknown;
  json: string;
}

/**
 * The tools of a request's `tools` (a JSON text).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const tools = offeredTools(JSON.stringify([
 *   { name: "Bash", description: "Run a command.\nMore.", input_schema: { type: "object" } },
 *   { type: "function", function: { name: "shell", description: "Run", parameters: {} } },
 *   { type: "web_search" },
 * ]));
 * assert.deepEqual(tools.map((t) => t.name), ["Bash", "shell", "web_search"]);
 * ```
 */
export function offeredTools(text: string): OfferedTool[] {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  return list.map((raw) => {
    const t = (raw ?? {}) as Row;
    const fn = (t.function ?? {}) as Row;
    return {
      name: String(t.name ?? fn.name ?? t.type ?? "tool"),
      description: String(t.description ?? fn.description ?? ""),
      schema: t.input_schema ?? t.parameters ?? fn.parameters ?? null,
      json: JSON.stringify(raw),
    };
  });
}

/** The keys the search gives the context's texts: `system:<i>` and `tools:<i>`. */
export function contextMatches(rows: Row[], query: string): string[] {
  const seen: Record<string, number> = {};
  const keys: string[] = [];
  for (const r of rows) {
    const i = seen[r.kind] = (seen[r.kind] ?? -1) + 1;
    if (contains(r.text, query)) keys.push(`${r.kind}:${i}`);
  }
  return keys;
}

/** The context block; `focus` is the key of the search's match in focus. */
export function ConversationContext({ rows, focus }: { rows: Row[]; focus: string | undefined }) {
  const systems = rows.filter((r) => r.kind === "system");
  const toolSets = rows.filter((r) => r.kind === "tools");
  const when = (r: Row, list: Row[]) =>
    list.length > 1 ? `from ${time(r.first_at)} UTC, ${count(r.requests)} requests` : `${count(r.requests)} requests`;
  return (
    <>
      {systems.map((r, i) => (
        <article key={`s${i}`} class="message role-system" data-testid="system-prompt" data-part={`system:${i}`}>
          <header>
            <span class="role label">System prompt{systems.length > 1 ? ` ${i + 1} of ${systems.length}` : ""}</span>
            <span class="when">{when(r, systems)}</span>
          </header>
          <CurrentMatch.Provider value={focus === `system:${i}`}>
            <Collapsed text={r.text} />
          </CurrentMatch.Provider>
        </article>
      ))}
      {toolSets.map((r, i) => (
        <CurrentMatch.Provider key={`t${i}`} value={focus === `tools:${i}`}>
          <Tools text={r.text} partId={`tools:${i}`} note={toolSets.length > 1 ? when(r, toolSets) : undefined} />
        </CurrentMatch.Provider>
      ))}
    </>
  );
}

function Tools({ text, partId, note }: { text: string; partId: string; note?: string }) {
  const [open, setOpen] = useState(false);
  const focus = useContext(CurrentMatch);
  const tools = offeredTools(text);
  const shown = open || focus;
  return (
    <article class="message role-tools" data-testid="tools" data-part={partId}>
      <header>
        <button type="button" class="link role label" aria-expanded={shown} onClick={() => setOpen(!shown)}>
          {shown ? "▾" : "▸"} Tools offered to the model ({count(tools.length)})
        </button>
        {note && <span class="when">{note}</span>}
      </header>
      {!shown && <div class="muted tool-names">{tools.map((t) => t.name).join(", ")}</div>}
      {shown && (
        <ul class="tools">
          {tools.map((t, i) => <Tool key={i} tool={t} />)}
        </ul>
      )}
    </article>
  );
}

function Tool({ tool }: { tool: OfferedTool }) {
  const [open, setOpen] = useState(false);
  const query = useContext(SearchQuery);
  const focus = useContext(CurrentMatch);
  const shown = open || (focus && contains(tool.json, query));
  const [first = ""] = tool.description.split("\n");
  return (
    <li data-testid="tool">
      <button type="button" class="link tool-name" aria-expanded={shown} onClick={() => setOpen(!shown)}>
        <Highlighted text={tool.name} />
      </button>{" "}
      {!shown && (
        <span class="muted">
          <Highlighted text={first} />
        </span>
      )}
      {shown && (
        <div class="tool-detail">
          <div class="text">
            <Highlighted text={tool.description} />
          </div>
          {tool.schema !== null && <pre><Highlighted text={pretty(tool.schema)} /></pre>}
        </div>
      )}
    </li>
  );
}
