/** @jsxImportSource preact */
/**
 * Trace search: traces holding a span of a service, a name, a duration range or a status, the newest first, with
 * their root span, services, duration, span count and failures.
 *
 * @module
 */
/// <reference lib="dom" />
import { get } from "../api.ts";
import { Choice, Field } from "../components/common.tsx";
import { PagedList, usePaged } from "../components/paged.tsx";
import { useLoad } from "../components/load.ts";
import { count, duration, time } from "../format.ts";
import { href } from "../route.ts";

const LIMIT = 50;

/** The screen. */
export function TracesScreen({ params }: { params: URLSearchParams }) {
  const services = useLoad((signal) => get<{ services: string[] }>("/api/trace-services", {}, signal), "services");
  const paged = usePaged("/api/traces", "traces", params, LIMIT);
  const { query } = paged;
  return (
    <PagedList
      empty="No traces yet. They come from OpenTelemetry SDKs that export OTLP to the receiver (the config's otel block)."
      title="Traces"
      paged={paged}
      error={services.error}
      filters={
        <>
          <Choice label="Service" name="service" value={query.service} options={services.data?.services ?? []} />
          <Field label="Span name" name="name" value={query.name} />
          <Field label="Min ms" name="minMs" value={query.minMs} width="6em" />
          <Field label="Max ms" name="maxMs" value={query.maxMs} width="6em" />
          <Choice label="Status" name="status" value={query.status} options={["error", "ok", "unset"]} />
          <Field label="From" name="from" value={query.from} placeholder="2025-03-01" width="8em" />
          <Field label="To" name="to" value={query.to} width="8em" />
        </>
      }
      rows={(page) => (
        <table class="grid clickable" data-testid="traces">
          <thead>
            <tr>
              <th>Start (UTC)</th>
              <th>Root span</th>
              <th>Services</th>
              <th class="num">Duration</th>
              <th class="num">Spans</th>
              <th class="num">Errors</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((t) => (
              <tr key={t.traceId} onClick={() => location.hash = href(["trace", t.traceId])}>
                <td>
                  <a href={href(["trace", t.traceId])}>{time(t.start)}</a>
                </td>
                <td>
                  <span class="muted">{t.root_service}:</span> {t.root_name}
                </td>
                <td>{t.services}</td>
                <td class="num">{duration(t.duration_ms)}</td>
                <td class="num">{count(t.spans)}</td>
                <td class={`num ${t.errors ? "bad" : ""}`}>{count(t.errors)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    />
  );
}
