/** @jsxImportSource preact */
/**
 * One conversation: what its requests offered the model (system prompt and tools, folded), then its messages in order
 * with text, thinking, tool calls beside their results, images, errors, and on each answer its turn's model, latency,
 * tokens and cost with a link to the raw exchange. Parts arrive a page at a time (long texts cut, shown whole on
 * request) and messages are drawn a hundred at a time as the reader scrolls; the search looks through the whole
 * conversation on the server and brings its matches into view one by one, and "Show all" draws everything (for the
 * browser's own find).
 *
 * @module
 */
/// <reference lib="dom" />
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { get, type PageOf, type Row } from "../api.ts";
import { ErrorBox, Loading } from "../components/common.tsx";
import { SearchQuery } from "../components/highlight.tsx";
import { useLoad } from "../components/load.ts";
import { agent, cost, count, time } from "../format.ts";
import { href } from "../route.ts";
import { ConversationContext } from "./conversation_context.tsx";
import { Part, partKey, TurnChip } from "./conversation_parts.tsx";
import { SearchBar, useConversationSearch } from "./conversation_search.tsx";

const PAGE = 2000;
/** Messages drawn at first, and added each time the reader nears the end of those drawn. */
const DRAW_STEP = 100;
/** Parts loaded without asking; past this a button loads more. */
const AUTO_PARTS = 10_000;

interface Message {
  key: string;
  role: string;
  createdAt: string;
  model: string | null;
  parts: Row[];
}

function messagesOf(parts: Row[]): Message[] {
  const out: Message[] = [];
  for (const part of parts) {
    const key = `${part.message_index}:${part.message_id}`;
    const last = out[out.length - 1];
    if (last?.key === key) last.parts.push(part);
    else out.push({ key, role: part.role, createdAt: part.message_created_at, model: part.model, parts: [part] });
  }
  return out;
}

/** The screen (keyed by the conversation, so its state starts afresh for another). */
export function ConversationScreen({ origin, id }: { origin: string; id: string }) {
  const base = `/api/conversations/${encodeURIComponent(origin)}/${encodeURIComponent(id)}`;
  const summary = useLoad((signal) => get<Row>(base, {}, signal), base);
  const turns = useLoad((signal) => get<PageOf<Row>>(`${base}/turns`, {}, signal), base);
  const [parts, setParts] = useState<Row[]>([]);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [wanted, setWanted] = useState(AUTO_PARTS);

  useEffect(() => {
    if (parts.length > 0 && (!more || parts.length >= wanted)) return;
    const controller = new AbortController();
    setLoading(true);
    get<PageOf<Row>>(`${base}/parts`, { offset: parts.length, limit: PAGE }, controller.signal).then((page) => {
      setParts((previous) => [...previous, ...page.rows]);
      setMore(page.more);
      setLoading(false);
    }, (e) => {
      if (!controller.signal.aborted) {
        setError(e.message);
        setLoading(false);
      }
    });
    return () => controller.abort();
  }, [base, parts.length, wanted]);

  // After the first page of parts: the server readies the cache for one read at a time, in the order they come.
  const context = useLoad((signal) => get<{ rows: Row[] }>(`${base}/context`, {}, signal), base);

  const messages = useMemo(() => messagesOf(parts), [parts]);
  // A tool result is shown beside its call; a message of paired results only is not shown again.
  const results = useMemo(() => {
    const byCall = new Map<string, Row>();
    for (const p of parts) if (p.part_type === "tool_result" && p.tool_call_id) byCall.set(p.tool_call_id, p);
    return byCall;
  }, [parts]);
  const called = useMemo(() => {
    const ids = new Set<string>();
    for (const p of parts) if (p.part_type === "tool_call" && p.tool_call_id) ids.add(p.tool_call_id);
    return ids;
  }, [parts]);
  // The message each part is drawn in (a paired result: its call's).
  const drawnIn = useMemo(() => {
    const map = new Map<string, number>();
    const callAt = new Map<string, number>();
    messages.forEach((m, i) => {
      for (const p of m.parts) {
        if (p.part_type === "tool_call" && p.tool_call_id) callAt.set(p.tool_call_id, i);
        const paired = p.part_type === "tool_result" && callAt.has(p.tool_call_id);
        map.set(partKey(p), paired ? callAt.get(p.tool_call_id)! : i);
      }
    });
    return map;
  }, [messages]);
  const turnAt = useMemo(() => {
    const map = new Map<string, Row>();
    for (const t of turns.data?.rows ?? []) if (!map.has(t.ts_start)) map.set(t.ts_start, t);
    return map;
  }, [turns.data]);
  const shownTurns = new Set<string>();
  // Messages are drawn a hundred at a time as the reader scrolls: a conversation of thousands of parts opens at once.
  const [drawn, setDrawn] = useState(DRAW_STEP);
  const sentinel = useRef<HTMLDivElement>(null);
  const undrawn = messages.length > drawn;
  useEffect(() => {
    const element = sentinel.current;
    if (!element) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setDrawn((d) => d + DRAW_STEP);
    }, { rootMargin: "2000px" });
    observer.observe(element);
    return () => observer.disconnect();
  }, [undrawn, drawn]);

  const search = useConversationSearch(base, context.data?.rows ?? []);
  const focus = search.current?.key;
  const list = useRef<HTMLDivElement>(null);
  // The match in focus: its parts loaded, its message drawn, then brought into view (once per visit).
  const scrolled = useRef(0);
  useEffect(() => {
    const match = search.current;
    if (!match || scrolled.current === search.visit) return;
    if (match.ordinal !== undefined) {
      if (parts.length <= match.ordinal) {
        if (wanted <= match.ordinal) setWanted(match.ordinal + 1);
        return;
      }
      const at = drawnIn.get(match.key);
      if (at !== undefined && at >= drawn) {
        setDrawn(at + DRAW_STEP / 2);
        return;
      }
    }
    const element = list.current?.querySelector(`[data-part="${CSS.escape(match.key)}"]`);
    if (!element) return;
    scrolled.current = search.visit;
    (element.querySelector("mark.current") ?? element).scrollIntoView({ block: "center" });
  }, [search.visit, parts.length, drawn, drawnIn, context.data]);

  const everything = !more && !undrawn;
  const c = summary.data;
  return (
    <section class="conversation">
      <p class="crumbs">
        <a href={href("conversations")}>← Conversations</a>
      </p>
      <ErrorBox error={summary.error ?? error ?? turns.error ?? context.error} />
      {c && (
        <div class="summary" data-testid="conversation-summary">
          <h1>{c.cwd ?? c.conversation_id}</h1>
          <dl>
            <dt>Conversation</dt>
            <dd>{c.conversation_id}</dd>
            <dt>Branch</dt>
            <dd>{c.git_branch ?? "—"}</dd>
            <dt>Client</dt>
            <dd>
              {c.conversation_source ?? "—"}
              {c.origin === "transcripts" ? " (imported from its transcript)" : ""}
              {c.origin === "gascity" ? ` (a Gas City session of ${c.agent_city ?? "its city"})` : ""}
            </dd>
            {agent(c) !== null && (
              <>
                <dt>Agent</dt>
                <dd class="agent" data-testid="agent">
                  template {c.agent_template ?? "—"} · rig {c.agent_rig ?? "—"} · alias {c.agent_alias ?? "—"}
                </dd>
              </>
            )}
            <dt>Models</dt>
            <dd>{c.models ?? "—"}</dd>
            <dt>Started</dt>
            <dd>{time(c.started_at)}</dd>
            <dt>Turns</dt>
            <dd>{count(c.turns)}</dd>
            <dt>Tokens</dt>
            <dd>{count(c.total_tokens)}</dd>
            <dt>Cost</dt>
            <dd>{cost(c.cost_usd)}</dd>
          </dl>
        </div>
      )}
      <SearchBar
        search={search}
        showAll={everything ? undefined : () => {
          setWanted(Number.POSITIVE_INFINITY);
          setDrawn(Number.POSITIVE_INFINITY);
        }}
        messages={messages.length}
        loading={loading}
      />
      <SearchQuery.Provider value={search.query}>
        <div class="messages" data-testid="messages" ref={list}>
          {context.data && <ConversationContext rows={context.data.rows} focus={focus} />}
          {messages.slice(0, drawn).map((m) => {
            const visible = m.parts.filter((p) => !(p.part_type === "tool_result" && called.has(p.tool_call_id)));
            if (visible.length === 0) return null;
            const turn = m.role === "assistant" && !shownTurns.has(m.createdAt) ? turnAt.get(m.createdAt) : undefined;
            if (turn) shownTurns.add(m.createdAt);
            return (
              <article key={m.key} class={`message role-${m.role}`}>
                <header>
                  <span class="role">{m.role}</span>
                  <span class="when">{time(m.createdAt)}</span>
                  {turn && <TurnChip turn={turn} />}
                </header>
                {visible.map((p) => (
                  <Part
                    key={p.part_index}
                    part={p}
                    role={m.role}
                    result={p.tool_call_id ? results.get(p.tool_call_id) : undefined}
                    base={base}
                    focus={focus}
                  />
                ))}
              </article>
            );
          })}
          {undrawn && (
            <div ref={sentinel} class="muted" data-testid="more-messages">
              {count(messages.length - drawn)} more messages below…
            </div>
          )}
        </div>
      </SearchQuery.Provider>
      <Loading loading={loading} />
      {!loading && more && (
        <button type="button" onClick={() => setWanted(wanted + AUTO_PARTS)}>
          Load more parts ({count(parts.length)} shown)
        </button>
      )}
      {!loading && !more && parts.length > 0 && (
        <p class="muted" data-testid="parts-count">{count(parts.length)} parts</p>
      )}
    </section>
  );
}
