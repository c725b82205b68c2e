/** @jsxImportSource preact */
/**
 * The parts of a conversation's messages: text (system reminders and system messages folded), thinking (folded), a
 * tool call with its result beside it (red when the tool failed), an image read from the raw exchange, an error; and
 * an answer's turn (model, latency, tokens, cost, a link to the raw exchange). Each part carries `data-part` (its
 * message id and index) so the search can scroll to it, and opens its folds when it holds the match in focus.
 *
 * @module
 */
/// <reference lib="dom" />
import { useContext, useEffect, useState } from "preact/hooks";
import { get, type Row, withToken } from "../api.ts";
import { MessageText } from "../components/collapsed.tsx";
import { contains, CurrentMatch, Highlighted, SearchQuery } from "../components/highlight.tsx";
import { RecordedImage } from "../components/image.tsx";
import { cost, count, duration, pretty } from "../format.ts";
import { href } from "../route.ts";

/** A part's key: its message id and index (what the search's matches name). */
export function partKey(part: Row): string {
  return `${part.message_id}:${part.part_index}`;
}

/** A turn's usage, on the answer it produced. */
export function TurnChip({ turn }: { turn: Row }) {
  const failed = turn.error || (turn.status ?? 200) >= 400;
  // A turn read from a transcript (ctvs import) has tokens and cost but no latency and no recorded exchange.
  const recorded = turn.exchange_id !== null && turn.exchange_id !== undefined;
  return (
    <span class={`turn ${failed ? "failed" : ""}`} data-testid="turn">
      {turn.model ?? "?"} · {recorded ? duration(turn.latency_ms) : "from the transcript"}
      {turn.ttft_ms !== null && turn.ttft_ms !== undefined ? ` (first token ${duration(turn.ttft_ms)})` : ""} · in{" "}
      {count(turn.input_tokens)} / out {count(turn.output_tokens)}
      {turn.cache_read_tokens ? ` / cache read ${count(turn.cache_read_tokens)}` : ""} · {cost(turn.cost_usd)}
      {failed ? ` · ${turn.error ?? `HTTP ${turn.status}`}` : ""}
      {recorded && (
        <>
          {" "}· <a href={href(["exchange", turn.gateway_id, turn.date, turn.exchange_id])}>raw exchange</a>
        </>
      )}
    </span>
  );
}

/**
 * A text that may have been cut: the rest is fetched on request, or by itself when the search's match in focus is
 * past the cut.
 */
function LongText(
  { part, base, role, plain }: { part: Row; base: string; role?: string; plain?: boolean },
) {
  const [whole, setWhole] = useState<string | undefined>();
  const query = useContext(SearchQuery);
  const focus = useContext(CurrentMatch);
  const text: string | null = part.content_text;
  const length: number | null = part.content_length;
  const shown = whole ?? text ?? "";
  const cut = whole === undefined && length !== null && text !== null && length > text.length;
  const fetchWhole = async () => {
    const row = await get<Row>(`${base}/parts/${encodeURIComponent(part.message_id)}/${part.part_index}`);
    setWhole(String(row.content_text ?? ""));
  };
  useEffect(() => {
    if (cut && focus && query && !contains(text, query)) fetchWhole();
  }, [cut, focus, query]);
  return (
    <>
      {plain
        ? (
          <div class="text">
            <Highlighted text={shown} />
          </div>
        )
        : <MessageText text={shown} role={role ?? ""} />}
      {cut && (
        <button type="button" class="link" onClick={fetchWhole}>
          Show all ({count(length)} characters)
        </button>
      )}
    </>
  );
}

/** One part; `result` is the tool result shown beside a call, `focus` the key of the part in focus. */
export function Part(
  { part, role, result, base, focus }: {
    part: Row;
    role: string;
    result: Row | undefined;
    base: string;
    focus: string | undefined;
  },
) {
  const key = partKey(part);
  return (
    <CurrentMatch.Provider value={focus === key}>
      <PartBody part={part} role={role} result={result} base={base} focus={focus} partId={key} />
    </CurrentMatch.Provider>
  );
}

function PartBody(
  { part, role, result, base, focus, partId }: {
    part: Row;
    role: string;
    result: Row | undefined;
    base: string;
    focus: string | undefined;
    partId: string;
  },
) {
  switch (part.part_type) {
    case "text":
      return (
        <div class="part part-text" data-part={partId}>
          <LongText part={part} base={base} role={role} />
        </div>
      );
    case "reasoning":
      return <Thinking part={part} base={base} partId={partId} />;
    case "tool_call":
      return (
        <div class="part tool-pair" data-testid="tool-call" data-part={partId}>
          <div class="tool-call">
            <div class="tool-name">
              <Highlighted text={part.tool_name ?? "tool"} />
            </div>
            <pre><Highlighted text={pretty(part.tool_args)} /></pre>
            {part.tool_args_length > (part.tool_args?.length ?? 0) && <p class="muted">(arguments cut)</p>}
          </div>
          {result
            ? (
              <CurrentMatch.Provider value={focus === partKey(result)}>
                <ToolResult part={result} base={base} />
              </CurrentMatch.Provider>
            )
            : <div class="tool-result pending">no result</div>}
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
        <div class="part" data-part={partId}>
          <RecordedImage
            src={withToken(`${base}/parts/${encodeURIComponent(part.message_id)}/${part.part_index}/image`)}
            alt={`image ${part.part_index + 1} of this message`}
          />
        </div>
      );
    case "error":
      return (
        <div class="part part-error error" data-part={partId}>
          <Highlighted text={part.content_text ?? pretty(part.status)} />
        </div>
      );
    default:
      return (
        <div class="part part-other" data-part={partId}>
          <span class="badge">{part.part_type}</span> <Highlighted text={part.content_text ?? ""} />
        </div>
      );
  }
}

/** Thinking, folded until clicked (a plain toggle: a thousand `<details>` cost far more to draw). */
function Thinking({ part, base, partId }: { part: Row; base: string; partId: string }) {
  const [open, setOpen] = useState(false);
  const focus = useContext(CurrentMatch);
  const shown = open || focus;
  return (
    <div class="part part-reasoning" data-part={partId}>
      <button type="button" class="link" aria-expanded={shown} onClick={() => setOpen(!shown)}>
        {shown ? "▾ Thinking" : "▸ Thinking"}
      </button>
      {shown && <LongText part={part} base={base} plain />}
    </div>
  );
}

function ToolResult({ part, base }: { part: Row; base: string }) {
  const failed = part.status?.tool_status === "error";
  return (
    <div class={`tool-result ${failed ? "failed" : ""}`} data-testid="tool-result" data-part={partKey(part)}>
      <div class="tool-name">{failed ? "result (error)" : "result"}</div>
      <LongText part={part} base={base} role="tool" />
    </div>
  );
}
