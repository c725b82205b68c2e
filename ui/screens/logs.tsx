/** @jsxImportSource preact */
/**
 * The log records, the newest first, searched by text (body and attributes), service, lowest severity, trace and
 * time, a page at a time.
 *
 * @module
 */
/// <reference lib="dom" />
import type { Row } from "../api.ts";
import { Choice, Field } from "../components/common.tsx";
import { PagedList, usePaged } from "../components/paged.tsx";
import { time } from "../format.ts";
import { href } from "../route.ts";

const LIMIT = 100;

function bodyText(body: unknown): string {
  if (typeof body !== "string") return body === null || body === undefined ? "" : JSON.stringify(body);
  try {
    const parsed = JSON.parse(body);
    return typeof parsed === "string" ? parsed : body;
  } catch {
    return body;
  }
}

/** A table of log records (also under a trace). */
export function LogTable({ rows }: { rows: Row[] }) {
  return (
    <table class="grid logs" data-testid="logs">
      <thead>
        <tr>
          <th>Time (UTC)</th>
          <th>Severity</th>
          <th>Service</th>
          <th>Event</th>
          <th>Body</th>
          <th>Trace</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i} class={`sev-${Math.floor((r.severityNumber ?? 0) / 4)}`}>
            <td class="nowrap">{time(r.timestamp)}</td>
            <td>{r.severityText ?? r.severityNumber ?? ""}</td>
            <td>{r.serviceName ?? ""}</td>
            <td>{r.eventName ?? ""}</td>
            <td class="body" title={r.attributes ?? ""}>{bodyText(r.body)}</td>
            <td>{r.traceId ? <a href={href(["trace", r.traceId])}>{String(r.traceId).slice(0, 8)}…</a> : ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The screen. */
export function LogsScreen({ params }: { params: URLSearchParams }) {
  const paged = usePaged("/api/logs", "logs", params, LIMIT);
  const { query } = paged;
  return (
    <PagedList
      empty="No log records yet. They come from OpenTelemetry SDKs (and Claude Code or Codex telemetry) that export OTLP to the receiver (the config's otel block)."
      title="Logs"
      paged={paged}
      filters={
        <>
          <Field label="Search" name="q" value={query.q} placeholder="body or attributes" width="16em" />
          <Field label="Service" name="service" value={query.service} />
          <Choice
            label="Severity"
            name="minSeverity"
            value={query.minSeverity}
            options={[["5", "debug+"], ["9", "info+"], ["13", "warn+"], ["17", "error+"]]}
          />
          <Field label="Trace id" name="traceId" value={query.traceId} width="14em" />
          <Field label="From" name="from" value={query.from} placeholder="2025-03-01" width="8em" />
          <Field label="To" name="to" value={query.to} width="8em" />
        </>
      }
      rows={(page) => <LogTable rows={page.rows} />}
    />
  );
}
