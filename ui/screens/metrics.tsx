/** @jsxImportSource preact */
/**
 * Metrics: the list (type, unit, services, points, series), and for the chosen metric one chart per series (a
 * service and attribute set), thinned by the server to at most a thousand time buckets.
 *
 * @module
 */
/// <reference lib="dom" />
import { useMemo } from "preact/hooks";
import { get, type PageOf, type Row } from "../api.ts";
import { Chart, type ChartOptions, PALETTE } from "../components/chart.tsx";
import { Empty, ErrorBox, Field, Filters, formParams, Loading } from "../components/common.tsx";
import { useLoad } from "../components/load.ts";
import { count, time } from "../format.ts";
import { href, replaceRoute } from "../route.ts";

interface Series {
  service: string;
  attrs: string;
  t: number[];
  v: (number | null)[];
}

function seriesOf(rows: Row[]): Series[] {
  const out: Series[] = [];
  for (const r of rows) {
    let last = out[out.length - 1];
    if (!last || last.service !== r.service || last.attrs !== r.attrs) {
      last = { service: r.service, attrs: r.attrs, t: [], v: [] };
      out.push(last);
    }
    last.t.push(r.t / 1000);
    last.v.push(r.v);
  }
  return out;
}

function SeriesChart({ series, index, unit }: { series: Series; index: number; unit: string }) {
  const color = PALETTE[index % PALETTE.length];
  const options = useMemo<ChartOptions>(() => ({
    height: 180,
    legend: { show: false },
    series: [{}, { label: unit || "value", stroke: color, width: 2, points: { show: series.t.length < 60 } }],
    axes: [{}, { size: 70 }],
  }), [series]);
  const data = useMemo(() => [series.t, series.v] as [number[], (number | null)[]], [series]);
  const attrs = series.attrs === "{}" ? "" : series.attrs;
  return (
    <div class="series" data-testid="metric-series">
      <h3>
        {series.service || "(no service)"} <span class="muted">{attrs}</span>
      </h3>
      <Chart options={options} data={data} label={`${series.service} ${attrs}`} />
    </div>
  );
}

/** The screen. */
export function MetricsScreen({ params }: { params: URLSearchParams }) {
  const query = Object.fromEntries(params.entries());
  const list = useLoad(
    (signal) => get<PageOf<Row>>("/api/metrics", { q: query.q, limit: 500 }, signal),
    `list:${query.q ?? ""}`,
  );
  const name = query.name;
  const points = useLoad(
    (signal) => name ? get<{ rows: Row[] }>("/api/metrics/series", { name }, signal) : Promise.resolve({ rows: [] }),
    `series:${name ?? ""}`,
  );
  const series = useMemo(() => seriesOf(points.data?.rows ?? []), [points.data]);
  const chosen = list.data?.rows.find((m) => m.metricName === name);
  return (
    <section>
      <h1>Metrics</h1>
      <Filters onSubmit={(form) => replaceRoute(href("metrics", formParams(form)))}>
        <Field label="Metric name" name="q" value={query.q} />
      </Filters>
      <ErrorBox error={list.error ?? points.error} />
      <Loading loading={list.loading} />
      <div class="split">
        <table class="grid clickable metric-list" data-testid="metrics">
          <thead>
            <tr>
              <th>Metric</th>
              <th>Type</th>
              <th class="num">Series</th>
              <th class="num">Points</th>
            </tr>
          </thead>
          <tbody>
            {(list.data?.rows ?? []).map((m) => (
              <tr
                key={m.metricName}
                class={m.metricName === name ? "selected" : ""}
                onClick={() => location.hash = href("metrics", { ...query, name: m.metricName })}
              >
                <td>
                  <a href={href("metrics", { ...query, name: m.metricName })}>{m.metricName}</a>
                  {m.unit ? <span class="muted">({m.unit})</span> : ""}
                </td>
                <td>{m.metricType}</td>
                <td class="num">{count(m.series)}</td>
                <td class="num">{count(m.points)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div class="charts">
          {list.data?.rows.length === 0 && (
            <Empty
              filtered={Boolean(query.q)}
              source="No metrics yet. They come from OpenTelemetry SDKs that export OTLP to the receiver (the config's otel block)."
            />
          )}
          {!name && list.data?.rows.length !== 0 && <p class="muted">Choose a metric.</p>}
          {chosen && (
            <p class="muted">
              {chosen.description ?? ""} · {chosen.services} · {time(chosen.first)} to {time(chosen.last)} UTC
              {series.length >= 20 ? " · the 20 series with the most points" : ""}
            </p>
          )}
          <Loading loading={Boolean(name) && points.loading} />
          {series.map((s, i) => (
            <SeriesChart key={`${s.service}${s.attrs}`} series={s} index={i} unit={chosen?.unit ?? ""} />
          ))}
        </div>
      </div>
    </section>
  );
}
