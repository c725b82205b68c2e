/** @jsxImportSource preact */
/**
 * One trace: a waterfall of its spans in tree order (each bar placed and sized by its start and duration within the
 * trace), only the rows in view rendered so a trace of thousands of spans scrolls freely; a span's attributes,
 * events, links and resource on click; and the logs of the trace.
 *
 * @module
 */
/// <reference lib="dom" />
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { get, type PageOf, type Row } from "../api.ts";
import { PALETTE } from "../components/chart.tsx";
import { ErrorBox, Loading } from "../components/common.tsx";
import { useLoad } from "../components/load.ts";
import { count, duration, pretty, spanStatus, textOn, time } from "../format.ts";
import { href } from "../route.ts";
import { LogTable } from "./logs.tsx";

const ROW = 24;
const VIEW_ROWS = 30;
/** A failed span's bar (fixed, so its label's colour can be chosen against it in light and dark). */
const FAILED = "#c62f3f";
/** Pixels a duration label needs inside its bar. */
const LABEL_PX = 64;

/**
 * Where a bar's duration label goes: inside a bar wide enough to hold it, else just after the bar, or just before it
 * when the bar ends near the right edge.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(labelPlace(0, 50, 800), "inside");
 * assert.equal(labelPlace(10, 1, 800), "after");
 * assert.equal(labelPlace(95, 1, 800), "before");
 * ```
 */
export function labelPlace(leftPct: number, widthPct: number, areaPx: number): "inside" | "after" | "before" {
  if ((widthPct / 100) * areaPx >= LABEL_PX) return "inside";
  return ((100 - leftPct - widthPct) / 100) * areaPx >= LABEL_PX ? "after" : "before";
}

interface Placed {
  span: Row;
  depth: number;
}

/** Spans in tree order (a parent before its children, siblings by start); orphans are roots. */
export function treeOrder(spans: Row[]): Placed[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, Row[]>();
  const roots: Row[] = [];
  for (const s of spans) {
    if (s.parentSpanId && ids.has(s.parentSpanId) && s.parentSpanId !== s.spanId) {
      const list = children.get(s.parentSpanId) ?? [];
      list.push(s);
      children.set(s.parentSpanId, list);
    } else roots.push(s);
  }
  const out: Placed[] = [];
  const seen = new Set<string>();
  const stack: Placed[] = roots.slice().reverse().map((span) => ({ span, depth: 0 }));
  while (stack.length) {
    const item = stack.pop()!;
    if (seen.has(item.span.spanId)) continue;
    seen.add(item.span.spanId);
    out.push(item);
    const kids = children.get(item.span.spanId) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i], depth: item.depth + 1 });
  }
  return out;
}

/** The screen (keyed by the trace). */
export function TraceScreen({ id }: { id: string }) {
  const path = `/api/traces/${encodeURIComponent(id)}`;
  const { data, error, loading } = useLoad(
    (signal) => get<{ spans: Row[]; truncated: boolean }>(path, {}, signal),
    path,
  );
  const logs = useLoad(
    (signal) => get<PageOf<Row>>("/api/logs", { traceId: id, order: "asc", limit: 500 }, signal),
    `logs:${id}`,
  );
  const [selected, setSelected] = useState<string | undefined>();
  const [top, setTop] = useState(0);
  const spans = data?.spans ?? [];
  const placed = useMemo(() => treeOrder(spans), [data]);
  const start = useMemo(() => Math.min(...spans.map((s) => s.start_us)), [data]);
  const end = useMemo(() => Math.max(...spans.map((s) => s.start_us + s.durationMs * 1000)), [data]);
  const total = Math.max(end - start, 1);
  const colors = useMemo(() => {
    const map = new Map<string, string>();
    for (const s of spans) if (!map.has(s.serviceName)) map.set(s.serviceName, PALETTE[map.size % PALETTE.length]);
    return map;
  }, [data]);
  // The bar area's width in pixels decides which labels fit inside their bars.
  const box = useRef<HTMLDivElement>(null);
  const [areaPx, setAreaPx] = useState(800);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const measure = () => {
      const area = element.querySelector(".bar-area");
      if (area) setAreaPx(area.getBoundingClientRect().width || 800);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [data]);
  const first = Math.max(0, Math.floor(top / ROW) - 5);
  const visible = placed.slice(first, first + VIEW_ROWS + 10);
  return (
    <section>
      <p class="crumbs">
        <a href={href("traces")}>← Traces</a>
      </p>
      <h1>Trace {id}</h1>
      <ErrorBox error={error} />
      <Loading loading={loading} />
      {data && (
        <>
          <p class="muted trace-facts">
            {`${count(spans.length)} spans · ${duration(total / 1000)} · started `}
            {`${time(new Date(start / 1000).toISOString())} UTC`}
            {data.truncated ? ` · the first ${count(spans.length)} spans by start are shown` : ""}
          </p>
          <div class="waterfall-head">
            <span class="label-col">span</span>
            <span class="bar-area">
              <span>0</span>
              <span>{duration(total / 2000)}</span>
              <span>{duration(total / 1000)}</span>
            </span>
          </div>
          <div
            class="waterfall"
            data-testid="waterfall"
            ref={box}
            style={{ height: `${Math.min(placed.length, VIEW_ROWS) * ROW + 2}px` }}
            onScroll={(e) => setTop((e.currentTarget as HTMLElement).scrollTop)}
          >
            <div style={{ height: `${placed.length * ROW}px`, position: "relative" }}>
              {visible.map(({ span, depth }, i) => {
                const left = ((span.start_us - start) / total) * 100;
                const width = ((span.durationMs * 1000) / total) * 100;
                const failed = span.status_code === "2";
                const fill = failed ? FAILED : colors.get(span.serviceName)!;
                const place = labelPlace(left, width, areaPx);
                return (
                  <div
                    key={span.spanId}
                    class={`span-row ${selected === span.spanId ? "selected" : ""}`}
                    style={{ top: `${(first + i) * ROW}px` }}
                    data-span={span.name}
                    title={`${span.name} · ${duration(span.durationMs)} · ${
                      spanStatus(span.status_code, span.status_message)
                    }`}
                    onClick={() => setSelected(span.spanId)}
                  >
                    <span class="label-col" style={{ paddingLeft: `${depth * 14 + 4}px` }} title={span.name}>
                      <span class="svc" style={{ color: colors.get(span.serviceName) }}>{span.serviceName}</span>{" "}
                      {span.name}
                    </span>
                    <span class="bar-area">
                      <span
                        class={`bar ${failed ? "failed" : ""}`}
                        data-testid="span-bar"
                        style={{ left: `${left}%`, width: `${width}%`, background: fill }}
                      />
                      {/* Inside a wide bar in a colour that reads on it; beside a narrow one in the page's text colour. */}
                      <span
                        class={`bar-label ${place}`}
                        data-testid="span-label"
                        style={place === "inside"
                          ? { left: `${left}%`, color: textOn(fill) }
                          : place === "after"
                          ? { left: `${left + width}%` }
                          : { right: `${100 - left}%` }}
                      >
                        {duration(span.durationMs)}
                      </span>
                    </span>
                  </div>
                );
              })}
            </div>
          </div>
        </>
      )}
      {selected && <SpanDetail traceId={id} spanId={selected} />}
      <h2>Logs of this trace</h2>
      <ErrorBox error={logs.error} />
      {logs.data && (logs.data.rows.length ? <LogTable rows={logs.data.rows} /> : <p class="muted">no logs</p>)}
    </section>
  );
}

function SpanDetail({ traceId, spanId }: { traceId: string; spanId: string }) {
  const path = `/api/traces/${encodeURIComponent(traceId)}/spans/${encodeURIComponent(spanId)}`;
  const { data, error } = useLoad((signal) => get<Row>(path, {}, signal), path);
  return (
    <div class="span-detail" data-testid="span-detail">
      <ErrorBox error={error} />
      {data && (
        <>
          <h2>{data.name}</h2>
          <dl class="facts">
            <dt>Service</dt>
            <dd>{data.serviceName}</dd>
            <dt>Span</dt>
            <dd>{data.spanId} (parent {data.parentSpanId ?? "none"})</dd>
            <dt>Start</dt>
            <dd>{time(data.startTimestamp)} UTC</dd>
            <dt>Duration</dt>
            <dd>{duration(data.durationMs)}</dd>
            <dt>Status</dt>
            <dd data-testid="span-status" class={String(data.status?.code) === "2" ? "bad" : ""}>
              {spanStatus(data.status)}
            </dd>
            <dt>Scope</dt>
            <dd>{data.scope_name} {data.scope_version}</dd>
          </dl>
          <div class="two">
            <div>
              <h3>Attributes</h3>
              <pre>{pretty(data.attributes)}</pre>
              <h3>Resource</h3>
              <pre>{pretty(data.resource)}</pre>
            </div>
            <div>
              <h3>Events</h3>
              <pre>{pretty(data.events)}</pre>
              <h3>Links</h3>
              <pre>{pretty(data.links)}</pre>
            </div>
          </div>
        </>
      )}
    </div>
  );
}
