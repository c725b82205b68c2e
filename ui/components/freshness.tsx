/** @jsxImportSource preact */
/**
 * The cache's state in the header: fresh, or how many partitions are behind their recordings, when it was last
 * refreshed, and a Refresh button. Polled every 15 seconds and after a refresh.
 *
 * @module
 */
/// <reference lib="dom" />
import { useEffect, useState } from "preact/hooks";
import type { UiStatus } from "../../server/ui/backend.ts";
import { get, post, READ_EVENT } from "../api.ts";
import { time } from "../format.ts";

/** What `/api/status` answers: the server's own type (a type import, erased from the bundle). */
type Status = UiStatus;

/** The freshness line. */
export function Freshness() {
  const [status, setStatus] = useState<Status | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    const load = () =>
      get<Status>("/api/status").then((s) => {
        setStatus(s);
        setError(undefined);
      }, (e) => setError(e.message));
    load();
    const timer = setInterval(load, 15_000);
    // After a read (which may have refreshed), once the burst of reads of a screen is over.
    let pending: ReturnType<typeof setTimeout> | undefined;
    const later = () => {
      clearTimeout(pending);
      pending = setTimeout(load, 300);
    };
    addEventListener(READ_EVENT, later);
    return () => {
      clearInterval(timer);
      clearTimeout(pending);
      removeEventListener(READ_EVENT, later);
    };
  }, []);
  if (error) return <div class="freshness stale" title={error}>cache: {error}</div>;
  if (!status) return <div class="freshness">cache: …</div>;
  const behind = status.datasets.reduce((n, d) => n + d.stale + d.missing, 0);
  const last = status.datasets.map((d) => d.refreshed_at).filter(Boolean).sort().at(-1) ?? null;
  const detail = status.datasets.map((d) =>
    `${d.name}: ${d.fresh} fresh, ${d.stale} stale, ${d.missing} missing (refreshed ${time(d.refreshed_at)})`
  ).join("\n");
  const refresh = async () => {
    setBusy(true);
    try {
      setStatus(await post<Status>("/api/refresh", {}));
      setError(undefined);
      dispatchEvent(new CustomEvent("ctvs-refreshed"));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class={`freshness ${behind ? "stale" : "fresh"}`} title={`${status.root}\n${detail}`}>
      <span data-testid="freshness">
        {behind ? `cache: ${behind} partition${behind === 1 ? "" : "s"} behind` : "cache: fresh"}
        {` · refreshed ${last ? time(last) : "never"} UTC`}
        {status.refresh === "auto" ? " · auto" : ""}
      </span>
      <button type="button" onClick={refresh} disabled={busy}>{busy ? "Refreshing…" : "Refresh"}</button>
    </div>
  );
}
