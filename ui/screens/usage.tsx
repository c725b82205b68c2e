/** @jsxImportSource preact */
/**
 * Usage and cost: the reports of `ctvs query usage` (daily, weekly, monthly, session, model; with a breakdown by
 * model; from the proxy, the imported transcripts or both), the same SQL and so the same numbers, as a chart of cost
 * and tokens and as the table with its Total row.
 *
 * @module
 */
/// <reference lib="dom" />
import { useMemo } from "preact/hooks";
import type uPlot from "uplot";
import { get, type Row } from "../api.ts";
import { bars, Chart, type ChartOptions, PALETTE } from "../components/chart.tsx";
import { ErrorBox, Field, Filters, formParams, Loading } from "../components/common.tsx";
import { useLoad } from "../components/load.ts";
import { cost, count } from "../format.ts";
import { href, replaceRoute } from "../route.ts";

const REPORTS = ["daily", "weekly", "monthly", "session", "model"] as const;
/** Where the requests come from (`ctvs query usage --source`). */
const SOURCES = ["all", "proxy", "transcripts"];
const KEY: Record<string, string> = {
  daily: "date",
  weekly: "week",
  monthly: "month",
  session: "session",
  model: "model",
};
const COLUMNS = [
  ["requests", "Requests"],
  ["input_tokens", "Input"],
  ["output_tokens", "Output"],
  ["cache_write_tokens", "Cache write"],
  ["cache_read_tokens", "Cache read"],
  ["total_tokens", "Total tokens"],
] as const;

function chartOf(rows: Row[], key: string, field: string, label: string, money: boolean, color: string) {
  const labels = rows.map((r) => String(r[key] ?? ""));
  const data: uPlot.AlignedData = [rows.map((_, i) => i), rows.map((r) => r[field] ?? 0)];
  const options: ChartOptions = {
    height: 220,
    legend: { show: false },
    cursor: { points: { show: false } },
    scales: { x: { time: false, range: [-0.5, Math.max(0.5, rows.length - 0.5)] } },
    axes: [
      { values: (_u, splits) => splits.map((s) => Number.isInteger(s) ? (labels[s] ?? "") : "") },
      { label, values: (_u, splits) => splits.map((s) => money ? cost(s) : count(s)), size: 80 },
    ],
    series: [{}, { label, fill: color, stroke: color, paths: bars, points: { show: false } }],
  };
  return { options, data };
}

/** The screen. */
export function UsageScreen({ params }: { params: URLSearchParams }) {
  const query = Object.fromEntries(params.entries());
  const report = (REPORTS as readonly string[]).includes(query.report) ? query.report : "daily";
  const breakdown = query.breakdown === "true";
  const source = SOURCES.includes(query.source) ? query.source : "all";
  const { data, error, loading } = useLoad(
    (signal) => get<{ rows: Row[] }>("/api/usage", { ...query, report }, signal),
    params.toString(),
  );
  const key = KEY[report];
  const rows = data?.rows ?? [];
  const groups = rows.filter((r) => r[key] !== "Total");
  const total = rows.find((r) => r[key] === "Total");
  // One bar per group (a breakdown's model rows summed into their group).
  const perGroup = useMemo(() => {
    const sums = new Map<string, Row>();
    for (const r of groups) {
      const k = String(r[key]);
      const s = sums.get(k) ?? { [key]: k, cost_usd: 0, total_tokens: 0 };
      s.cost_usd += r.cost_usd ?? 0;
      s.total_tokens += r.total_tokens ?? 0;
      sums.set(k, s);
    }
    return [...sums.values()];
  }, [data]);
  const costChart = useMemo(() => chartOf(perGroup, key, "cost_usd", "cost (USD)", true, PALETTE[0]), [perGroup]);
  const tokenChart = useMemo(() => chartOf(perGroup, key, "total_tokens", "tokens", false, PALETTE[1]), [perGroup]);
  const go = (next: Record<string, string>) => replaceRoute(href("usage", next));
  return (
    <section>
      <h1>Usage and cost</h1>
      <div class="tabs">
        {REPORTS.map((r) => (
          <a key={r} class={r === report ? "active" : ""} href={href("usage", { ...query, report: r })}>{r}</a>
        ))}
      </div>
      <Filters onSubmit={(form) => go({ report, ...formParams(form) })}>
        <Field label="From" name="from" value={query.from} placeholder="2025-03-01" width="8em" />
        <Field label="To" name="to" value={query.to} placeholder="2025-03-31" width="8em" />
        <label>
          <span>Source</span>
          <select name="source" value={source}>
            <option value="all">proxy and imported transcripts</option>
            <option value="proxy">proxy</option>
            <option value="transcripts">imported transcripts</option>
          </select>
        </label>
        <label class="check">
          <input type="checkbox" name="breakdown" value="true" checked={breakdown} />
          <span>by model</span>
        </label>
      </Filters>
      <ErrorBox error={error} />
      <Loading loading={loading} />
      {total && (
        <div class="totals" data-testid="usage-total">
          <div>
            <span class="big" data-testid="total-cost">{cost(total.cost_usd)}</span>
            <span>total cost</span>
          </div>
          <div>
            <span class="big">{count(total.total_tokens)}</span>
            <span>tokens</span>
          </div>
          <div>
            <span class="big">{count(total.requests)}</span>
            <span>requests</span>
          </div>
          {total.unpriced_requests > 0 && (
            <div class="warn">
              <span class="big">{count(total.unpriced_requests)}</span>
              <span>requests without a price (not in the cost)</span>
            </div>
          )}
        </div>
      )}
      {groups.length > 0 && (
        <div class="two">
          <Chart options={costChart.options} data={costChart.data} label="cost per group" />
          <Chart options={tokenChart.options} data={tokenChart.data} label="tokens per group" />
        </div>
      )}
      {data && (
        <table class="grid" data-testid="usage-table">
          <thead>
            <tr>
              <th>{key}</th>
              {report !== "model" && <th>{breakdown ? "model" : "models"}</th>}
              {COLUMNS.map(([, label]) => <th key={label} class="num">{label}</th>)}
              <th class="num">Cost</th>
              <th class="num">Unpriced</th>
              {report === "session" && <th>Last activity</th>}
              {report === "session" && <th>Project</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i} class={r[key] === "Total" ? "total" : ""}>
                <td>
                  {report === "session" && r[key] !== "Total" && r[key] !== "(none)"
                    ? (
                      <a href={href(["conversation", source === "transcripts" ? "transcripts" : "proxy", r[key]])}>
                        {r[key]}
                      </a>
                    )
                    : r[key]}
                </td>
                {report !== "model" && <td>{(breakdown ? r.model : r.models) ?? ""}</td>}
                {COLUMNS.map(([name]) => <td key={name} class="num">{count(r[name])}</td>)}
                <td class="num">{cost(r.cost_usd)}</td>
                <td class="num">{count(r.unpriced_requests)}</td>
                {report === "session" && <td>{r.last_activity ?? ""}</td>}
                {report === "session" && <td>{r.cwd ?? ""}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
