/** @jsxImportSource preact */
/**
 * One raw exchange as the proxy recorded it: status, timing, the request and response headers (secrets already
 * redacted by the recorder) and bodies (the request's images shown as images, a marker in the body where their data
 * was), and the SSE timeline: each event at its offset from the request's start.
 *
 * @module
 */
/// <reference lib="dom" />
import { get, type Row, withToken } from "../api.ts";
import { ErrorBox, Loading } from "../components/common.tsx";
import { RecordedImage } from "../components/image.tsx";
import { useLoad } from "../components/load.ts";
import { count, duration, pretty, time } from "../format.ts";
import { href } from "../route.ts";

function Headers({ headers }: { headers: Row | undefined }) {
  return (
    <table class="grid compact">
      <tbody>
        {Object.entries(headers ?? {}).map(([name, value]) => (
          <tr key={name}>
            <th>{name}</th>
            <td>{Array.isArray(value) ? value.join(", ") : String(value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Body({ holder }: { holder: Row | undefined }) {
  if (typeof holder?.body !== "string") return <p class="muted">no body recorded</p>;
  const cut = holder.body_length > holder.body.length;
  return (
    <>
      {cut && <p class="muted">first {count(holder.body.length)} of {count(holder.body_length)} characters</p>}
      <pre class="body">{cut ? holder.body : pretty(holder.body)}</pre>
    </>
  );
}

/** The screen. */
export function ExchangeScreen({ gateway, date, id }: { gateway: string; date: string; id: string }) {
  const path = `/api/exchanges/${[gateway, date, id].map(encodeURIComponent).join("/")}`;
  const { data, error, loading } = useLoad((signal) => get<Row>(path, {}, signal), path);
  const x = data?.exchange as Row | undefined;
  const events = (data?.events ?? []) as Row[];
  const total = Math.max(1, x?.duration_ms ?? 0, ...events.map((e) => e.t_ms ?? 0));
  const images = (data?.images ?? []) as Row[];
  return (
    <section>
      <p class="crumbs">
        <a href="#" onClick={(e) => (e.preventDefault(), history.back())}>← Back</a> ·{" "}
        <a href={href("conversations")}>Conversations</a>
      </p>
      <h1>Exchange {id}</h1>
      <ErrorBox error={error} />
      <Loading loading={loading} />
      {x && (
        <dl class="facts">
          <dt>Request</dt>
          <dd>{x.request?.method} {x.request?.path} → {x.upstream}</dd>
          <dt>Status</dt>
          <dd>{x.response?.status}{x.error ? ` · ${x.error}` : ""}</dd>
          <dt>Started</dt>
          <dd>{time(x.ts_start)} UTC</dd>
          <dt>Duration</dt>
          <dd>{duration(x.duration_ms)}</dd>
          <dt>Client</dt>
          <dd>{x.client?.user_agent ?? "—"}</dd>
          <dt>Project</dt>
          <dd>{x.cwd ?? "—"} {x.git_branch ? `(${x.git_branch})` : ""}</dd>
        </dl>
      )}
      {data && (
        <>
          <h2>SSE timeline ({count(data.event_count)} events)</h2>
          {events.length === 0
            ? <p class="muted">not a streamed answer</p>
            : (
              <table class="grid compact timeline" data-testid="sse-timeline">
                <thead>
                  <tr>
                    <th class="num">t (ms)</th>
                    <th>event</th>
                    <th class="bar-col"></th>
                    <th>data</th>
                  </tr>
                </thead>
                <tbody>
                  {events.map((e, i) => (
                    <tr key={i}>
                      <td class="num">{e.t_ms ?? "—"}</td>
                      <td>{e.event}</td>
                      <td class="bar-col">
                        <span class="tick" style={{ left: `${((e.t_ms ?? 0) / total) * 100}%` }} />
                      </td>
                      <td class="data">
                        {e.data}
                        {e.data_length > e.data.length ? "…" : ""}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          {data.event_count > events.length && <p class="muted">first {count(events.length)} events shown</p>}
        </>
      )}
      {x && (
        <div class="two">
          <div>
            <h2>Request</h2>
            {images.length > 0 && (
              <div class="request-images" data-testid="request-images">
                {images.map((image, i) => (
                  <figure key={i}>
                    <RecordedImage src={withToken(`${path}/images/${i}`)} alt={`image ${i + 1} of the request`} />
                    <figcaption class="muted">
                      {i + 1}: {image.path} · {image.media_type ?? "?"}
                      {image.bytes !== undefined ? ` · ${count(image.bytes)} bytes` : ""}
                    </figcaption>
                  </figure>
                ))}
              </div>
            )}
            <details>
              <summary>headers</summary>
              <Headers headers={x.request?.headers} />
            </details>
            {images.some((image) => image.bytes !== undefined) && (
              <p class="muted">In the body below, each image's data is replaced by a marker such as [image 1: …].</p>
            )}
            <Body holder={x.request} />
          </div>
          <div>
            <h2>Response</h2>
            <details>
              <summary>headers</summary>
              <Headers headers={x.response?.headers} />
            </details>
            <Body holder={x.response} />
          </div>
        </div>
      )}
    </section>
  );
}
