/** @jsxImportSource preact */
/**
 * The SQL box: one read-only SELECT over the datasets and collections (what `ctvs query sql` runs, refused the same
 * way), its first rows as a table, and the whole result as a CSV download.
 *
 * @module
 */
/// <reference lib="dom" />
import { useState } from "preact/hooks";
import { post, withToken } from "../api.ts";
import { ErrorBox, Loading } from "../components/common.tsx";
import { count } from "../format.ts";

interface Result {
  columns: string[];
  rows: unknown[][];
  more: boolean;
}

const EXAMPLE = "select model, count(*) as requests, round(sum(cost_usd), 6) as cost_usd\n" +
  "from llm_requests group by model order by cost_usd desc nulls last";

function cell(value: unknown): string {
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** The screen. */
export function SqlScreen() {
  const [sql, setSql] = useState(() => sessionStorage.getItem("ctvs-sql") ?? EXAMPLE);
  const [ran, setRan] = useState<string | undefined>();
  const [result, setResult] = useState<Result | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [loading, setLoading] = useState(false);
  const run = async () => {
    sessionStorage.setItem("ctvs-sql", sql);
    setLoading(true);
    setError(undefined);
    try {
      setResult(await post<Result>("/api/sql", { sql, limit: 1000 }));
      setRan(sql);
    } catch (e) {
      setResult(undefined);
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  };
  return (
    <section>
      <h1>SQL</h1>
      <p class="muted">
        One read-only SELECT over logs, traces, metrics, proxy_messages, llm_requests, transcript_messages,
        transcript_requests, gascity_messages, gascity_events and your collections (DuckDB). Ctrl+Enter runs it.
      </p>
      <textarea
        class="sql"
        data-testid="sql-input"
        value={sql}
        spellcheck={false}
        onInput={(e) => setSql((e.currentTarget as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            run();
          }
        }}
      />
      <div class="actions">
        <button type="button" onClick={run} disabled={loading}>Run</button>
        {ran && !error && <a class="button" href={withToken("/api/sql.csv", { sql: ran })} download>Download CSV</a>}
      </div>
      <ErrorBox error={error} />
      <Loading loading={loading} />
      {result && (
        <>
          <p class="muted" data-testid="sql-count">
            {result.more
              ? `first ${count(result.rows.length)} rows (the CSV has them all)`
              : `${count(result.rows.length)} rows`}
          </p>
          <div class="scroll">
            <table class="grid" data-testid="sql-result">
              <thead>
                <tr>{result.columns.map((c, i) => <th key={i}>{c}</th>)}</tr>
              </thead>
              <tbody>
                {result.rows.map((row, i) => (
                  <tr key={i}>
                    {row.map((v, j) => v === null ? <td key={j} class="null">NULL</td> : <td key={j}>{cell(v)}</td>)}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
