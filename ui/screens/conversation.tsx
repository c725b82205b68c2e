/** @jsxImportSource preact */
/**
 * One conversation: its messages in order with text, thinking, tool calls beside their results, images, errors,
 * and on each answer its turn's model, latency, tokens and cost with a link to the raw exchange. Parts arrive a page
 * at a time (long texts cut, shown whole on request) and are rendered as they arrive.
 *
 * @module
 */
/// <reference lib="dom" />
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { get, type PageOf, type Row, withToken } from "../api.ts";
import { ErrorBox, Loading } from "../components/common.tsx";
import { RecordedImage } from "../components/image.tsx";
import { useLoad } from "../components/load.ts";
import { cost, count, duration, pretty, time } from "../format.ts";
import { href } from "../route.ts";

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

  const c = summary.data;
  return (
    <section class="conversation">
      <p class="crumbs">
        <a href={href("conversations")}>← Conversations</a>
      </p>
      <ErrorBox error={summary.error ?? error ?? turns.error} />
      {c && (
        <div class="summary" data-testid="conversation-summary">
          <h1>{c.cwd ?? c.conversation_id}</h1>
          <dl>
            <dt>Conversation</dt>
            <dd>{c.conversation_id}</dd>
            <dt>Branch</dt>
            <dd>{c.git_branch ?? "—"}</dd>
            <dt>Client</dt>
            <dd>{c.conversation_source ?? "—"}</dd>
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
      <div class="messages" data-testid="messages">
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
                  result={p.tool_call_id ? results.get(p.tool_call_id) : undefined}
                  base={base}
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

function TurnChip({ turn }: { turn: Row }) {
  const failed = turn.error || (turn.status ?? 200) >= 400;
  return (
    <span class={`turn ${failed ? "failed" : ""}`} data-testid="turn">
      {turn.model ?? "?"} · {duration(turn.latency_ms)}
      {turn.ttft_ms !== null ? ` (first token ${duration(turn.ttft_ms)})` : ""} · in {count(turn.input_tokens)} / out
      {" "}
      {count(turn.output_tokens)}
      {turn.cache_read_tokens ? ` / cache read ${count(turn.cache_read_tokens)}` : ""} · {cost(turn.cost_usd)}
      {failed ? ` · ${turn.error ?? `HTTP ${turn.status}`}` : ""} ·{" "}
      <a href={href(["exchange", turn.gateway_id, turn.date, turn.exchange_id])}>raw exchange</a>
    </span>
  );
}

/** A text that may have been cut: the rest is fetched on request. */
function LongText(
  { text, length, field, part, base }: {
    text: string | null;
    length: number | null;
    field: string;
    part: Row;
    base: string;
  },
) {
  const [whole, setWhole] = useState<string | undefined>();
  const shown = whole ?? text ?? "";
  const cut = whole === undefined && length !== null && text !== null && length > text.length;
  return (
    <>
      <div class="text">{shown}</div>
      {cut && (
        <button
          type="button"
          class="link"
          onClick={async () => {
            const row = await get<Row>(
              `${base}/parts/${encodeURIComponent(part.message_id)}/${part.part_index}`,
            );
            setWhole(String(row[field] ?? ""));
          }}
        >
          Show all ({count(length)} characters)
        </button>
      )}
    </>
  );
}

function Part({ part, result, base }: { part: Row; result: Row | undefined; base: string }) {
  switch (part.part_type) {
    case "text":
      return (
        <div class="part part-text">
          <LongText
            text={part.content_text}
            length={part.content_length}
            field="content_text"
            part={part}
            base={base}
          />
        </div>
      );
    case "reasoning":
      return <Thinking part={part} base={base} />;
    case "tool_call":
      return (
        <div class="part tool-pair" data-testid="tool-call">
          <div class="tool-call">
            <div class="tool-name">{part.tool_name ?? "tool"}</div>
            <pre>{pretty(part.tool_args)}</pre>
            {part.tool_args_length > (part.tool_args?.length ?? 0) && <p class="muted">(arguments cut)</p>}
          </div>
          {result ? <ToolResult part={result} base={base} /> : <div class="tool-result pending">no result</div>}
        </div>
      );
    case "tool_result":
      return (
        <div class="part tool-pair">
          <div class="tool-call muted">call not shown</div>
          <ToolResult part={part} base={base} />
        </div>
      );
    case "image":
      return (
        <div class="part">
          <RecordedImage
            src={withToken(`${base}/parts/${encodeURIComponent(part.message_id)}/${part.part_index}/image`)}
            alt={`image ${part.part_index + 1} of this message`}
          />
        </div>
      );
    case "error":
      return <div class="part part-error error">{part.content_text ?? pretty(part.status)}</div>;
    default:
      return (
        <div class="part part-other">
          <span class="badge">{part.part_type}</span> {part.content_text ?? ""}
        </div>
      );
  }
}

/** Thinking, folded until clicked (a plain toggle: a thousand `<details>` cost far more to draw). */
function Thinking({ part, base }: { part: Row; base: string }) {
  const [open, setOpen] = useState(false);
  return (
    <div class="part part-reasoning">
      <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "▾ Thinking" : "▸ Thinking"}
      </button>
      {open && (
        <LongText text={part.content_text} length={part.content_length} field="content_text" part={part} base={base} />
      )}
    </div>
  );
}

function ToolResult({ part, base }: { part: Row; base: string }) {
  const failed = part.status?.tool_status === "error";
  return (
    <div class={`tool-result ${failed ? "failed" : ""}`} data-testid="tool-result">
      <div class="tool-name">{failed ? "result (error)" : "result"}</div>
      <LongText text={part.content_text} length={part.content_length} field="content_text" part={part} base={base} />
    </div>
  );
}
